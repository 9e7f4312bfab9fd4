#include "tests/integration/free_ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/assert.h"

namespace quokka::integration {

std::vector<uint16_t> pick_free_ports(size_t count) {
  std::vector<int> sockets;
  std::vector<uint16_t> ports;
  for (size_t i = 0; i < count; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    QUOKKA_ASSERT(fd >= 0, "socket() failed: {}", std::strerror(errno));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    QUOKKA_ASSERT(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0,
                  "bind(127.0.0.1:0) failed: {}", std::strerror(errno));
    socklen_t length = sizeof(address);
    QUOKKA_ASSERT(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0,
                  "getsockname failed: {}", std::strerror(errno));
    sockets.push_back(fd);
    ports.push_back(ntohs(address.sin_port));
  }
  for (int fd : sockets) ::close(fd);
  return ports;
}

}  // namespace quokka::integration
