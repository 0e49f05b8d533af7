/* eagain-give-up: a server answers on a non-blocking Unix stream socket whose peer is not reading
 * yet. The first writev() is partial, the retry of the remainder gets EAGAIN, and the server gives
 * up: shutdown(fd, SHUT_WR). The tail of the body is lost (the hyper 0.14 spelling of the bug). */
#include "../common/sample.h"
#include <sys/socket.h>
#include <sys/uio.h>

int main(void) {
  truth_open();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) die("socketpair");
  int server = sv[0], peer = sv[1];
  if (fcntl(server, F_SETFL, fcntl(server, F_GETFL) | O_NONBLOCK) < 0) die("fcntl");

  const size_t body_len = 1048576;
  char header[128];
  int header_len = snprintf(header, sizeof header,
                            "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", body_len);
  char *body = make_body(body_len, 'A');
  long long intended = header_len + (long long)body_len, accepted = 0;
  say(1, "serving %lld bytes\n", intended);

  /* Every attempt asks for the whole remainder, as a real write loop does. */
  for (int attempt = 0; attempt < 2; attempt++) {
    struct iovec iov[2];
    int n = 0;
    if (accepted < header_len) {
      iov[n].iov_base = header + accepted;
      iov[n++].iov_len = (size_t)(header_len - accepted);
      iov[n].iov_base = body;
      iov[n++].iov_len = body_len;
    } else {
      iov[n].iov_base = body + (accepted - header_len);
      iov[n++].iov_len = (size_t)(intended - accepted);
    }
    ssize_t k = writev(server, iov, n);
    if (k < 0 && errno != EAGAIN) die("writev");
    if (k > 0) accepted += k;
    if (accepted == intended) break;
  }
  if (accepted == intended) {
    say(2, "sample: the socket took everything; nothing to demonstrate\n");
    return 4;
  }

  /* The bug: give up on the remainder and half-close. */
  if (shutdown(server, SHUT_WR) < 0) die("shutdown");
  truth_loss("shutdown-with-unsent", server, intended, accepted);

  long long got = drain_to_eof(peer);
  say(2, "peer received %lld of %lld bytes (%lld lost)\n", got, intended, intended - got);
  close(server);
  close(peer);
  return 0;
}
