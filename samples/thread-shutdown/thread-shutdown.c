/* thread-shutdown: the multi-threaded spelling of the bug (a tokio runtime's worker writes, another
 * worker shuts down). A writer thread sends a response on a non-blocking Unix stream socket: a
 * partial writev(), then EAGAIN on the remainder, and it parks waiting for writability. A second
 * thread, the connection's "timeout" task, decides the response is done and calls
 * shutdown(fd, SHUT_WR). The remainder is never sent. */
#include "../common/sample.h"
#include <pthread.h>
#include <sys/socket.h>
#include <sys/uio.h>

static int server, peer;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static long long intended, accepted;
static int writer_stalled, shut_down;

static void *writer(void *arg) {
  (void)arg;
  sample_ids_refresh();
  const size_t body_len = 786432;
  char header[128];
  int header_len = snprintf(header, sizeof header,
                            "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", body_len);
  char *body = make_body(body_len, 'A');
  long long want = header_len + (long long)body_len, got = 0;
  for (;;) {
    struct iovec iov[2];
    int n = 0;
    if (got < header_len) {
      iov[n].iov_base = header + got;
      iov[n++].iov_len = (size_t)(header_len - got);
      iov[n].iov_base = body;
      iov[n++].iov_len = body_len;
    } else {
      iov[n].iov_base = body + (got - header_len);
      iov[n++].iov_len = (size_t)(want - got);
    }
    ssize_t k = writev(server, iov, n);
    if (k > 0) got += k;
    if (k < 0 && errno != EAGAIN) die("writev");
    if (k < 0 || got == want) break;
  }
  pthread_mutex_lock(&lock);
  intended = want;
  accepted = got;
  writer_stalled = 1;
  pthread_cond_broadcast(&changed);
  /* Park until "writable" — which never comes before the other thread shuts the socket down. */
  while (!shut_down) pthread_cond_wait(&changed, &lock);
  pthread_mutex_unlock(&lock);
  return NULL;
}

static void *closer(void *arg) {
  (void)arg;
  sample_ids_refresh();
  pthread_mutex_lock(&lock);
  while (!writer_stalled) pthread_cond_wait(&changed, &lock);
  long long want = intended, got = accepted;
  pthread_mutex_unlock(&lock);
  if (got == want) {
    say(2, "sample: the socket took everything; nothing to demonstrate\n");
    exit(4);
  }
  /* The bug: this thread thinks the response was flushed. */
  if (shutdown(server, SHUT_WR) < 0) die("shutdown");
  truth_loss("shutdown-with-unsent", server, want, got);
  pthread_mutex_lock(&lock);
  shut_down = 1;
  pthread_cond_broadcast(&changed);
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(void) {
  truth_open();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) die("socketpair");
  server = sv[0];
  peer = sv[1];
  if (fcntl(server, F_SETFL, fcntl(server, F_GETFL) | O_NONBLOCK) < 0) die("fcntl");
  say(1, "starting writer and timeout threads\n");
  pthread_t w, c;
  if (pthread_create(&w, NULL, writer, NULL) != 0) die("pthread_create");
  if (pthread_create(&c, NULL, closer, NULL) != 0) die("pthread_create");
  pthread_join(c, NULL);
  pthread_join(w, NULL);
  long long got = drain_to_eof(peer);
  say(2, "peer received %lld of %lld bytes (%lld lost)\n", got, intended, intended - got);
  close(server);
  close(peer);
  return 0;
}
