/* The "my-app" HTTP server of the containers-are-files lesson: answers every request
 * on :8090 with a greeting and logs each one to stderr (so `docker logs` shows it). */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
  int server = socket(AF_INET, SOCK_STREAM, 0);
  int on = 1;
  setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(8090), .sin_addr.s_addr = htonl(INADDR_ANY)};
  if (bind(server, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(server, 16) != 0) {
    perror("listen on :8090");
    return 1;
  }
  fprintf(stderr, "Starting HTTP server on :8090...\n");
  const char reply[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 19\r\n\r\nHello from my-app!\n";
  for (;;) {
    int client = accept(server, NULL, NULL);
    if (client < 0) continue;
    char request[1024];
    ssize_t n = read(client, request, sizeof request - 1);
    if (n > 0) {
      request[n] = 0;
      request[strcspn(request, "\r\n")] = 0;
      fprintf(stderr, "%s\n", request);
    }
    if (write(client, reply, sizeof reply - 1) < 0) perror("write");
    close(client);
  }
}
