/* http-short-body: every write succeeds, yet each HTTP response is short of what its head
 * declared: the bytes were never handed to a write at all, so only the framing can tell. Three
 * connections over loopback TCP, each with a client thread that reads to EOF:
 *   A  Content-Length 100000, 65536 body bytes written, shutdown(SHUT_WR); then a late write of
 *      the rest gets EPIPE and SIGPIPE (the write side is already shut), then close.
 *   B  Transfer-Encoding: chunked, three chunks, close without the final 0\r\n\r\n.
 *   C  two pipelined requests: the first response complete, the second (Content-Length 50000)
 *      cut after 20000 body bytes, then close. */
#include "../http-common/http-sample.h"

static void on_sigpipe(int sig) { (void)sig; }

static void write_all(int fd, const char *buf, size_t len) {
  if (write(fd, buf, len) != (ssize_t)len) die("write");
}

int main(void) {
  truth_open();
  signal(SIGPIPE, on_sigpipe);
  int listener = listen_local();
  char req[4096];
  char *body = make_body(1 << 16, 'a');

  /* A: Content-Length 100000, 65536 delivered. */
  struct client a = {.request = "GET /report.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"};
  client_start(&a);
  int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) die("accept4");
  read_request(fd, req, sizeof req);
  static const char head_a[] = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
  write_all(fd, head_a, sizeof head_a - 1);
  for (int i = 0; i < 4; i++) write_all(fd, body, 16384);
  if (shutdown(fd, SHUT_WR) < 0) die("shutdown");
  truth_finding("http-short-body", "shutdown", fd, 100000 - 65536, (int)sizeof head_a - 1, "Content-Length 100000, 65536 sent");
  /* The late flush of the rest: the write side is shut, so EPIPE (and SIGPIPE). */
  if (write(fd, body, 34464) >= 0) die("late write succeeded");
  close(fd);
  client_join(&a);
  long long want_a = (long long)sizeof head_a - 1 + 100000;
  truth_demo("A: short Content-Length body", a.received == want_a - 34464, want_a, a.received, a.reset);

  /* B: chunked, no terminator. */
  struct client b = {.request = "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"};
  client_start(&b);
  fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) die("accept4");
  read_request(fd, req, sizeof req);
  static const char head_b[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  write_all(fd, head_b, sizeof head_b - 1);
  static char chunk[6 + 16384 + 2];
  memcpy(chunk, "4000\r\n", 6);
  memcpy(chunk + 6, body, 16384);
  memcpy(chunk + 6 + 16384, "\r\n", 2);
  for (int i = 0; i < 3; i++) write_all(fd, chunk, sizeof chunk);
  close(fd);
  truth_finding("http-short-body", "close", fd, 5, (int)sizeof head_b - 1, "chunked, no 0\\r\\n\\r\\n");
  client_join(&b);
  long long got_b = (long long)sizeof head_b - 1 + 3 * (long long)sizeof chunk;
  truth_demo("B: chunked body without its terminator", b.received == got_b, got_b + 5, b.received, b.reset);

  /* C: two pipelined responses, the second cut. */
  struct client c = {.request = "GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"};
  client_start(&c);
  fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) die("accept4");
  read_request(fd, req, sizeof req);
  static const char head_c1[] = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
  static const char head_c2[] = "HTTP/1.1 200 OK\r\nContent-Length: 50000\r\n\r\n";
  write_all(fd, head_c1, sizeof head_c1 - 1);
  write_all(fd, body, 1000);
  write_all(fd, head_c2, sizeof head_c2 - 1);
  write_all(fd, body, 20000);
  close(fd);
  truth_finding("http-short-body", "close", fd, 30000, (int)sizeof head_c2 - 1, "second pipelined response: 20000 of 50000");
  client_join(&c);
  long long want_c = (long long)sizeof head_c1 - 1 + 1000 + (long long)sizeof head_c2 - 1 + 50000;
  truth_demo("C: second pipelined response short", c.received == want_c - 30000, want_c, c.received, c.reset);

  close(listener);
  return 0;
}
