/* linger-after-ack: the correct twins of linger-abort, on loopback TCP. The same 512 KiB response,
 * fully accepted, then:
 *   A  the server waits until the client has read everything and closed (read() returns 0), and
 *      only then sets SO_LINGER {1, 0} and closes: nothing is left to discard.
 *   B  the server polls ioctl(SIOCOUTQ) until the send queue is empty (everything acknowledged),
 *      then SO_LINGER {1, 0} and close.
 *   C  no linger at all: a plain close after the write. */
#include "../http-common/http-sample.h"
#include <linux/sockios.h>
#include <sys/ioctl.h>

#define BODY (512 * 1024)

static long long respond(int fd) {
  char head[128];
  int head_len = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY);
  long long total = head_len + (long long)BODY;
  static char *resp;
  if (!resp) {
    resp = malloc((size_t)total);
    if (!resp) die("malloc");
    memcpy(resp, head, (size_t)head_len);
    char *body = make_body(BODY, 'a');
    memcpy(resp + head_len, body, BODY);
  }
  if (send_all(fd, resp, total) != total) die("send");
  return total;
}

static void linger_zero(int fd) {
  struct linger lg = {.l_onoff = 1, .l_linger = 0};
  if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0) die("setsockopt");
}

int main(void) {
  truth_open();
  int listener = listen_local();
  char req[4096];

  /* The client closes once it has the whole response (head + body). */
  struct client a = {.request = "GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", .delay_ms = 50, .expect = 43 + BODY};
  client_start(&a);
  int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) die("accept4");
  read_request(fd, req, sizeof req);
  long long total = respond(fd);
  if (read(fd, req, sizeof req) != 0) die("expected EOF from the client");
  linger_zero(fd);
  close(fd);
  truth_ok(fd, "SO_LINGER {1,0} after the client closed");
  client_join(&a);
  truth_demo("A: the client got everything", a.received == total, total, a.received, a.reset);

  struct client b = {.request = "GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", .delay_ms = 50};
  client_start(&b);
  fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) die("accept4");
  read_request(fd, req, sizeof req);
  total = respond(fd);
  for (int i = 0; i < 5000; i++) {
    int queued = -1;
    if (ioctl(fd, SIOCOUTQ, &queued) < 0) die("ioctl");
    if (queued == 0) break;
    sleep_ms(1);
  }
  linger_zero(fd);
  close(fd);
  truth_ok(fd, "SO_LINGER {1,0} after SIOCOUTQ read 0");
  client_join(&b);
  truth_demo("B: the client got everything", b.received == total, total, b.received, 0);

  struct client c = {.request = "GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", .delay_ms = 50};
  client_start(&c);
  fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) die("accept4");
  read_request(fd, req, sizeof req);
  total = respond(fd);
  close(fd);
  truth_ok(fd, "plain close, no linger");
  client_join(&c);
  truth_demo("C: the client got everything", c.received == total && !c.reset, total, c.received, c.reset);
  close(listener);
  return 0;
}
