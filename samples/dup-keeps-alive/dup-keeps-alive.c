/* dup-keeps-alive: a stream outlives the fd number it was written through. A server writes a
 * response on a non-blocking Unix stream socket (fd 4), has already dup()ed it (fd 6), gets a
 * partial write then EAGAIN, and closes fd 4 with the tail unsent. That close is NOT a loss: fd 6
 * still refers to the same socket. The server keeps sending the remainder through fd 6 as the
 * peer reads, then shutdown(6, SHUT_WR) with everything accepted and closes it. No finding. */
#include "../common/sample.h"
#include <sys/socket.h>

int main(void) {
  truth_open();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) die("socketpair");
  int original = sv[0], peer = sv[1];
  if (fcntl(original, F_SETFL, fcntl(original, F_GETFL) | O_NONBLOCK) < 0) die("fcntl");
  int alias = dup(original); /* the same open file description: O_NONBLOCK is shared */
  if (alias < 0) die("dup");

  const long long len = 655360;
  char *body = make_body((size_t)len, 'A');
  long long accepted = 0;
  int stalls = 0;
  say(1, "sending %lld bytes on fd %d (alias fd %d)\n", len, original, alias);
  while (accepted < len) {
    ssize_t k = write(original, body + accepted, (size_t)(len - accepted));
    if (k < 0 && errno == EAGAIN) break;
    if (k < 0) die("write");
    accepted += k;
  }
  if (accepted == len) {
    say(2, "sample: the socket took everything; nothing to demonstrate\n");
    return 4;
  }
  stalls++;
  /* Not a loss: the alias still holds the stream. */
  if (close(original) < 0) die("close");

  /* Finish through the alias: let the peer read a chunk, then send the remainder again. */
  static char chunk[131072];
  long long peer_got = 0;
  while (accepted < len) {
    ssize_t r = read(peer, chunk, sizeof chunk);
    if (r <= 0) die("peer read");
    peer_got += r;
    ssize_t k = write(alias, body + accepted, (size_t)(len - accepted));
    if (k < 0 && errno == EAGAIN) { stalls++; continue; }
    if (k < 0) die("write");
    accepted += k;
    if (accepted < len) stalls++;
  }
  if (shutdown(alias, SHUT_WR) < 0) die("shutdown");
  truth_clean(alias, len, accepted, stalls);
  peer_got += drain_to_eof(peer);
  say(2, "peer received %lld of %lld bytes after %d stalls\n", peer_got, len, stalls);
  close(alias);
  close(peer);
  return peer_got == len ? 0 : 5;
}
