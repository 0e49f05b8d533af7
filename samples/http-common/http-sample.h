/* Shared by the HTTP and reset samples (http-*, linger-*, unread-*): a loopback TCP listener, a
 * client thread that sends a request and reads the answer, and the truth records. A record is
 * written with ONE write() right after the call it describes (see ../common/sample.h); `call`
 * says which call that is, `minStrsize` how many bytes of a string strace must show for the
 * finding to be visible (an HTTP head), and "demo" records say what the peer really saw. */
#ifndef HTTP_SAMPLE_H
#define HTTP_SAMPLE_H
#include "../common/sample.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>

static struct sockaddr_in server_addr;

static SAMPLE_UNUSED int listen_local(void) {
  int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (l < 0) die("socket");
  server_addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof server_addr;
  if (bind(l, (struct sockaddr *)&server_addr, sizeof server_addr) < 0) die("bind");
  if (listen(l, 8) < 0) die("listen");
  if (getsockname(l, (struct sockaddr *)&server_addr, &len) < 0) die("getsockname");
  return l;
}

static SAMPLE_UNUSED int connect_local(void) {
  int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c < 0) die("socket");
  if (connect(c, (struct sockaddr *)&server_addr, sizeof server_addr) < 0) die("connect");
  return c;
}

/* Blocking send of everything (MSG_NOSIGNAL: a reset peer is an error, not a signal). Returns the
 * bytes sent before an error. */
static SAMPLE_UNUSED long long send_all(int fd, const char *buf, long long len) {
  long long done = 0;
  while (done < len) {
    ssize_t n = send(fd, buf + done, (size_t)(len - done), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return done;
    }
    done += n;
  }
  return done;
}

static SAMPLE_UNUSED void sleep_ms(int ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* One client: sends `request` (and `extra` bytes of body when given), waits `delay_ms`, then reads
 * to EOF or an error. What it saw is left in the struct for the demo record. */
struct client {
  const char *request;
  long long extra;
  int delay_ms;
  int shut_after_send; /* half-close after sending (the peer's read then ends in EOF) */
  long long expect;    /* when set: close once this many bytes arrived, without waiting for EOF */
  long long received;
  int reset;           /* a read or send ended in ECONNRESET/EPIPE */
  pthread_t thread;
};

static void *client_main(void *arg) {
  struct client *c = arg;
  sample_ids_refresh();
  int fd = connect_local();
  long long len = (long long)strlen(c->request);
  if (send_all(fd, c->request, len) < len) c->reset = 1;
  if (c->extra > 0) {
    char *body = make_body((size_t)c->extra, 'A');
    if (send_all(fd, body, c->extra) < c->extra) c->reset = 1;
    free(body);
  }
  if (c->shut_after_send) shutdown(fd, SHUT_WR);
  if (c->delay_ms > 0) sleep_ms(c->delay_ms);
  static __thread char sink[1 << 16];
  for (;;) {
    ssize_t n = recv(fd, sink, sizeof sink, 0);
    if (n > 0) {
      c->received += n;
      if (c->expect > 0 && c->received >= c->expect) break;
      if (c->delay_ms > 0) sleep_ms(1);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) c->reset = 1;
    break;
  }
  close(fd);
  return NULL;
}

static SAMPLE_UNUSED void client_start(struct client *c) {
  if (pthread_create(&c->thread, NULL, client_main, c) != 0) die("pthread_create");
}

static SAMPLE_UNUSED void client_join(struct client *c) { pthread_join(c->thread, NULL); }

/* A finding the program knows it caused: right after `call` on `fd`. */
static SAMPLE_UNUSED void truth_finding(const char *rule, const char *call, int fd, long long unsent, int min_strsize,
                                        const char *detail) {
  char buf[768];
  int len = snprintf(buf, sizeof buf,
                     "{\"kind\":\"loss\",\"rule\":\"%s\",\"call\":\"%s\",\"pid\":%d,\"tid\":%d,\"fd\":%d,\"truthFd\":%d,"
                     "\"unsentBytes\":%lld,\"minStrsize\":%d,\"detail\":\"%s\"}\n",
                     rule, call, my_pid, my_tid, fd, truth_fd, unsent, min_strsize, detail);
  truth_write(buf, len);
}

/* A connection the program ended correctly (right after its last call on `fd`). */
static SAMPLE_UNUSED void truth_ok(int fd, const char *detail) {
  char buf[512];
  int len = snprintf(buf, sizeof buf,
                     "{\"kind\":\"clean\",\"pid\":%d,\"tid\":%d,\"fd\":%d,\"truthFd\":%d,\"detail\":\"%s\"}\n", my_pid,
                     my_tid, fd, truth_fd, detail);
  truth_write(buf, len);
}

/* What the peer saw, checked by the program itself: `demonstrated` false fails the recording. */
static SAMPLE_UNUSED void truth_demo(const char *what, int demonstrated, long long expected, long long received,
                                     int reset) {
  char buf[512];
  int len = snprintf(buf, sizeof buf,
                     "{\"kind\":\"demo\",\"pid\":%d,\"tid\":%d,\"truthFd\":%d,\"what\":\"%s\",\"demonstrated\":%s,"
                     "\"expected\":%lld,\"received\":%lld,\"reset\":%s}\n",
                     my_pid, my_tid, truth_fd, what, demonstrated ? "true" : "false", expected, received,
                     reset ? "true" : "false");
  truth_write(buf, len);
}

/* Read whatever request is there (one read, like a naive server). */
static SAMPLE_UNUSED ssize_t read_request(int fd, char *buf, size_t size) {
  ssize_t n = read(fd, buf, size);
  if (n < 0) die("read request");
  return n;
}
#endif
