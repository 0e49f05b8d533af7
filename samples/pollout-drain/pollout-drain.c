/* pollout-drain: the correct pattern. A server sends a response on a non-blocking Unix stream
 * socket to a slow reader (a thread that reads 64 KiB every 2 ms). Its writes come back short and
 * the immediate retry of the remainder gets EAGAIN; it then waits for POLLOUT and sends the
 * remainder, and only when everything has been accepted does it shutdown(fd, SHUT_WR). Nothing is
 * lost: no finding. */
#include "../common/sample.h"
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>

static int server, peer;
static long long peer_got;

static void *slow_reader(void *arg) {
  (void)arg;
  static char chunk[65536];
  struct timespec pause = {.tv_sec = 0, .tv_nsec = 2000000};
  for (;;) {
    nanosleep(&pause, NULL);
    ssize_t n = read(peer, chunk, sizeof chunk);
    if (n > 0) { peer_got += n; continue; }
    if (n == 0) return NULL;
    die("read");
  }
}

int main(void) {
  truth_open();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) die("socketpair");
  server = sv[0];
  peer = sv[1];
  if (fcntl(server, F_SETFL, fcntl(server, F_GETFL) | O_NONBLOCK) < 0) die("fcntl");
  pthread_t r;
  if (pthread_create(&r, NULL, slow_reader, NULL) != 0) die("pthread_create");

  const size_t body_len = 1048576;
  char *response = make_body(body_len + 128, 'A');
  int header_len = snprintf(response, 128, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r", body_len);
  response[header_len++] = '\n'; /* snprintf's NUL replaced by the header's last byte */
  memmove(response + header_len, response + 128, body_len);
  long long intended = header_len + (long long)body_len, accepted = 0;
  int stalls = 0;
  say(1, "serving %lld bytes to a slow reader\n", intended);

  while (accepted < intended) {
    ssize_t k = write(server, response + accepted, (size_t)(intended - accepted));
    if (k < 0 && errno != EAGAIN) die("write");
    if (k > 0) accepted += k;
    if (accepted == intended) break;
    stalls++;
    if (k > 0) continue; /* short write: try the remainder at once, as most write loops do */
    /* EAGAIN: wait until the socket is writable again */
    struct pollfd pfd = {.fd = server, .events = POLLOUT};
    if (poll(&pfd, 1, 5000) <= 0) die("poll");
  }
  if (stalls == 0) {
    say(2, "sample: never stalled; the reader was not slow enough\n");
    return 4;
  }
  if (shutdown(server, SHUT_WR) < 0) die("shutdown");
  truth_clean(server, intended, accepted, stalls);
  pthread_join(r, NULL);
  say(2, "peer received %lld of %lld bytes after %d stalls\n", peer_got, intended, stalls);
  close(server);
  close(peer);
  return peer_got == intended ? 0 : 5;
}
