/* fork-child-close: forked processes share streams, so a close is only a loss when it drops the
 * LAST reference. Two connections, both with a partial write and EAGAIN before fork():
 *   A  the child closes its copy while A still has unsent bytes: NOT a loss (the parent holds A).
 *      The parent then drains A as the peer reads and half-closes it with everything sent.
 *   B  the child closes its copy too (not a loss either), then the parent, now the last holder,
 *      closes B with its tail unsent: close-with-unsent, in the parent.
 * A pipe makes the parent wait for the child's closes, so the order does not depend on
 * scheduling. */
#include "../common/sample.h"
#include <sys/socket.h>
#include <sys/wait.h>

static long long write_until_eagain(int fd, const char *buf, long long len, long long accepted) {
  while (accepted < len) {
    ssize_t k = write(fd, buf + accepted, (size_t)(len - accepted));
    if (k < 0 && errno == EAGAIN) break;
    if (k < 0) die("write");
    accepted += k;
  }
  return accepted;
}

static void nonblocking(int fd) {
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) die("fcntl");
}

int main(void) {
  truth_open();
  int a[2], b[2], done[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a) < 0) die("socketpair");
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, b) < 0) die("socketpair");
  if (pipe2(done, O_CLOEXEC) < 0) die("pipe2");
  nonblocking(a[0]);
  nonblocking(b[0]);

  const long long len = 524288;
  char *body_a = make_body((size_t)len, 'A'), *body_b = make_body((size_t)len, 'a');
  say(1, "parent: sending %lld bytes on A (fd %d) and on B (fd %d)\n", len, a[0], b[0]);
  long long acc_a = write_until_eagain(a[0], body_a, len, 0);
  long long acc_b = write_until_eagain(b[0], body_b, len, 0);
  if (acc_a == len || acc_b == len) {
    say(2, "sample: a socket took everything; nothing to demonstrate\n");
    return 4;
  }

  pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    /* A worker that turns out to have nothing to do with these connections: it drops its
     * copies. Neither close is a loss: the parent still holds both sockets. */
    close(a[1]);
    close(b[1]);
    close(done[0]);
    if (close(a[0]) < 0) die("close");
    if (close(b[0]) < 0) die("close");
    if (write(done[1], "x", 1) != 1) die("done");
    _exit(0);
  }

  close(done[1]);
  char token;
  if (read(done[0], &token, 1) != 1) die("wait for child");
  /* B: the child's copy is gone, so this close drops the last reference with the tail unsent. */
  if (close(b[0]) < 0) die("close");
  truth_loss("close-with-unsent", b[0], len, acc_b);

  /* A: finish properly, letting the peer read between attempts. */
  static char chunk[131072];
  long long peer_a = 0;
  int stalls = 1;
  while (acc_a < len) {
    ssize_t r = read(a[1], chunk, sizeof chunk);
    if (r <= 0) die("peer read");
    peer_a += r;
    long long before = acc_a;
    acc_a = write_until_eagain(a[0], body_a, len, acc_a);
    if (acc_a < len || acc_a == before) stalls++;
  }
  if (shutdown(a[0], SHUT_WR) < 0) die("shutdown");
  truth_clean(a[0], len, acc_a, stalls);
  peer_a += drain_to_eof(a[1]);

  int status;
  if (waitpid(child, &status, 0) != child) die("waitpid");
  long long peer_b = drain_to_eof(b[1]);
  say(2, "peer A received %lld of %lld bytes; peer B received %lld of %lld (%lld lost)\n", peer_a, len,
      peer_b, len, len - peer_b);
  close(a[0]);
  close(a[1]);
  close(b[1]);
  return peer_a == len ? 0 : 5;
}
