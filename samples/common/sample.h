/* Shared by the sample programs: the oracle record each program writes about itself, and the
 * chatter it prints. The oracle goes to the regular file named by $TRUTH_FILE (never to a traced
 * socket), one JSON object per line, each written with ONE write() right after the call it
 * describes, so a locator can find that call as the nearest preceding close/shutdown of the fd by
 * the same thread. */
#ifndef SAMPLE_H
#define SAMPLE_H
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define SAMPLE_UNUSED __attribute__((unused))

static int truth_fd = -1;
/* The ids are fetched once per thread (sample_ids_refresh() at the start of each thread and in a
 * fork child), so the oracle write does not add getpid()/gettid() calls next to the evidence. */
static __thread int my_pid, my_tid;
static SAMPLE_UNUSED void sample_ids_refresh(void) {
  my_pid = (int)getpid();
  my_tid = (int)gettid();
}

/* Open the oracle file first thing, so its fd is the same in every run. */
static SAMPLE_UNUSED void truth_open(void) {
  const char *path = getenv("TRUTH_FILE");
  truth_fd = open(path ? path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  if (truth_fd < 0) {
    perror("TRUTH_FILE");
    exit(3);
  }
  sample_ids_refresh();
}

static SAMPLE_UNUSED void truth_write(const char *buf, int len) {
  if (write(truth_fd, buf, (size_t)len) != len) {
    perror("truth");
    exit(3);
  }
}

/* A point of no return with bytes the program meant to send but the kernel never accepted.
 * `intended` is the stream's high-water mark (every attempt asked for the whole remainder),
 * `accepted` the sum of what the kernel took. */
static SAMPLE_UNUSED void truth_loss(const char *rule, int fd, long long intended, long long accepted) {
  char buf[512];
  int len = snprintf(buf, sizeof buf,
                     "{\"kind\":\"loss\",\"rule\":\"%s\",\"pid\":%d,\"tid\":%d,\"fd\":%d,\"truthFd\":%d,"
                     "\"intended\":%lld,\"accepted\":%lld,\"unsentBytes\":%lld}\n",
                     rule, my_pid, my_tid, fd, truth_fd, intended, accepted,
                     intended - accepted);
  truth_write(buf, len);
}

/* A stream that ended with everything sent. `stalls` counts the EAGAINs and short writes the
 * program met on the way, so a sample can prove it really exercised the slow path. */
static SAMPLE_UNUSED void truth_clean(int fd, long long intended, long long accepted, int stalls) {
  char buf[512];
  int len = snprintf(buf, sizeof buf,
                     "{\"kind\":\"clean\",\"pid\":%d,\"tid\":%d,\"fd\":%d,\"truthFd\":%d,"
                     "\"intended\":%lld,\"accepted\":%lld,\"stalls\":%d}\n",
                     my_pid, my_tid, fd, truth_fd, intended, accepted, stalls);
  truth_write(buf, len);
}

/* Human chatter on stdout (progress) or stderr (summary); unbuffered so that under
 * `strace ... 2>&1` it lands between the trace lines of the call that printed it. */
static SAMPLE_UNUSED void say(int to, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (len > (int)sizeof buf - 1) len = (int)sizeof buf - 1;
  ssize_t ignored = write(to, buf, (size_t)len);
  (void)ignored;
}

static SAMPLE_UNUSED void die(const char *what) {
  say(2, "sample: %s: %s\n", what, strerror(errno));
  exit(3);
}

/* Fill a buffer with a recognisable, printable body. */
static SAMPLE_UNUSED char *make_body(size_t len, char seed) {
  char *p = malloc(len);
  if (!p) die("malloc");
  for (size_t i = 0; i < len; i++) p[i] = (char)(seed + (char)(i % 26));
  return p;
}

/* Read a stream to EOF in big gulps; returns the byte count. */
static SAMPLE_UNUSED long long drain_to_eof(int fd) {
  static char sink[1 << 20];
  long long total = 0;
  for (;;) {
    ssize_t n = read(fd, sink, sizeof sink);
    if (n > 0) { total += n; continue; }
    if (n == 0) return total;
    if (errno == EAGAIN) {
      /* A non-blocking peer: fall back to blocking for the drain. */
      int fl = fcntl(fd, F_GETFL);
      fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
      continue;
    }
    if (errno == ECONNRESET) return total;
    die("read");
  }
}
#endif
