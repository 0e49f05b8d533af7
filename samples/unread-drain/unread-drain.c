/* unread-drain: the correct twins of unread-close, on loopback TCP:
 *   A  the same upload and the same 413 after one full 1024-byte read, then the polite sequence
 *      (RFC 9112 §9.6, nginx's lingering close): shutdown(SHUT_WR), drain with a bound (poll with
 *      a timeout, read until EOF or 1 MiB), close.
 *   B  the server reads the whole request to EOF (the client half-closes after sending), then
 *      answers and closes: nothing is left unread. */
#include "../http-common/http-sample.h"
#include <poll.h>

static const char answer[] = "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/* Read until EOF, at most `limit` bytes and `timeout_ms` per wait. */
static long long drain(int fd, long long limit, int timeout_ms) {
  char sink[16384];
  long long total = 0;
  while (total < limit) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) <= 0) break;
    ssize_t n = read(fd, sink, sizeof sink);
    if (n <= 0) break;
    total += n;
  }
  return total;
}

int main(void) {
  truth_open();
  int listener = listen_local();
  char req[1024];

  struct client a = {.request = "POST /upload HTTP/1.1\r\nContent-Length: 65536\r\n\r\n", .extra = 65536, .shut_after_send = 1};
  client_start(&a);
  int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) die("accept4");
  sleep_ms(50);
  ssize_t n = read_request(fd, req, sizeof req);
  if (write(fd, answer, sizeof answer - 1) != (ssize_t)(sizeof answer - 1)) die("write");
  if (shutdown(fd, SHUT_WR) < 0) die("shutdown");
  long long drained = drain(fd, 1 << 20, 2000);
  close(fd);
  truth_ok(fd, "413, half-close, bounded drain, close");
  client_join(&a);
  long long sent = (long long)strlen(a.request) + 65536;
  truth_demo("A: everything the client sent was read, no reset", n + drained == sent && !a.reset, sent, n + drained, a.reset);

  struct client b = {.request = "POST /small HTTP/1.1\r\nContent-Length: 4000\r\n\r\n", .extra = 4000, .shut_after_send = 1};
  client_start(&b);
  fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) die("accept4");
  long long got = 0;
  for (;;) {
    ssize_t k = read(fd, req, sizeof req);
    if (k < 0) die("read");
    if (k == 0) break;
    got += k;
  }
  if (write(fd, answer, sizeof answer - 1) != (ssize_t)(sizeof answer - 1)) die("write");
  close(fd);
  truth_ok(fd, "read to EOF, then answer and close");
  client_join(&b);
  sent = (long long)strlen(b.request) + 4000;
  truth_demo("B: the whole request was read", got == sent && !b.reset, sent, got, b.reset);
  close(listener);
  return 0;
}
