/* unread-close: the RST sibling of the truncation (BUGCLASS.md #8, #15) on loopback TCP. The
 * server answers 413 and closes without shutdown(SHUT_WR) and without reading the request body:
 *   A  the client sends a head declaring Content-Length 65536 and the body; the server does one
 *      read() that fills its 1024-byte buffer, answers, closes: the kernel resets the connection
 *      because unread data is queued.
 *   B  the client sends only a head declaring Content-Length 100000 and waits for the answer; the
 *      server reads the head (a short read), answers, closes: the body it never read would reach
 *      a closed socket and draw an RST. */
#include "../http-common/http-sample.h"

static const char answer[] = "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

int main(void) {
  truth_open();
  int listener = listen_local();
  char req[1024];

  struct client a = {.request = "POST /upload HTTP/1.1\r\nContent-Length: 65536\r\n\r\n", .extra = 65536};
  client_start(&a);
  int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) die("accept4");
  /* Wait until the whole upload is queued, so the one read fills the buffer for sure. */
  sleep_ms(50);
  ssize_t n = read_request(fd, req, sizeof req);
  if (write(fd, answer, sizeof answer - 1) != (ssize_t)(sizeof answer - 1)) die("write");
  close(fd);
  truth_finding("close-with-unread-input", "close", fd, 0, 0, "the last read filled its buffer");
  client_join(&a);
  truth_demo("A: unread input left at close", n == (ssize_t)sizeof req, 65536 + 48, n, a.reset);

  static const char head_b[] = "POST /big HTTP/1.1\r\nContent-Length: 100000\r\n\r\n";
  struct client b = {.request = head_b};
  client_start(&b);
  fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) die("accept4");
  n = read_request(fd, req, sizeof req);
  if (write(fd, answer, sizeof answer - 1) != (ssize_t)(sizeof answer - 1)) die("write");
  close(fd);
  truth_finding("close-with-unread-input", "close", fd, 0, (int)sizeof head_b - 1, "a declared body never read");
  client_join(&b);
  truth_demo("B: the declared body was never read", n == (ssize_t)sizeof head_b - 1, 100000, n, b.reset);
  close(listener);
  return 0;
}
