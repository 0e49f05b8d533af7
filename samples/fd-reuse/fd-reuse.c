/* fd-reuse: fd numbers are not streams. A server writes a response on a non-blocking Unix stream
 * socket (fd 4): a partial write, EAGAIN on the remainder, and it close()s the fd with the tail
 * unsent (a loss: close-with-unsent at that close, the only reference). The next socketpair()
 * reuses fd 4 for a NEW connection, which sends a small reply completely and is closed cleanly.
 * A correct analyzer reports exactly one finding, at the first close(4). */
#include "../common/sample.h"
#include <sys/socket.h>

static long long send_all_once_then_eagain(int fd, const char *buf, long long len, long long *accepted) {
  /* Ask for the whole remainder until the kernel refuses (EAGAIN) or everything is taken. */
  while (*accepted < len) {
    ssize_t k = write(fd, buf + *accepted, (size_t)(len - *accepted));
    if (k < 0 && errno == EAGAIN) break;
    if (k < 0) die("write");
    *accepted += k;
  }
  return len - *accepted;
}

int main(void) {
  truth_open();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) die("socketpair");
  int first = sv[0], first_peer = sv[1];
  if (fcntl(first, F_SETFL, fcntl(first, F_GETFL) | O_NONBLOCK) < 0) die("fcntl");

  const long long first_len = 655360;
  char *first_body = make_body((size_t)first_len, 'A');
  long long first_accepted = 0;
  say(1, "connection 1: sending %lld bytes on fd %d\n", first_len, first);
  if (send_all_once_then_eagain(first, first_body, first_len, &first_accepted) == 0) {
    say(2, "sample: the socket took everything; nothing to demonstrate\n");
    return 4;
  }
  /* The bug: the connection is torn down with its tail still in our buffer. */
  if (close(first) < 0) die("close");
  truth_loss("close-with-unsent", first, first_len, first_accepted);

  /* A new connection gets the same fd number. */
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) die("socketpair");
  int second = sv[0], second_peer = sv[1];
  if (second != first) {
    say(2, "sample: fd %d was not reused (got %d)\n", first, second);
    return 4;
  }
  if (fcntl(second, F_SETFL, fcntl(second, F_GETFL) | O_NONBLOCK) < 0) die("fcntl");
  static const char reply[] = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
  long long second_accepted = 0;
  if (send_all_once_then_eagain(second, reply, sizeof reply - 1, &second_accepted) != 0) die("short reply");
  if (shutdown(second, SHUT_WR) < 0) die("shutdown");
  if (close(second) < 0) die("close");
  truth_clean(second, sizeof reply - 1, second_accepted, 0);

  long long got1 = drain_to_eof(first_peer), got2 = drain_to_eof(second_peer);
  say(2, "peer 1 received %lld of %lld bytes; peer 2 received %lld of %zu\n", got1, first_len, got2,
      sizeof reply - 1);
  close(first_peer);
  close(second_peer);
  return 0;
}
