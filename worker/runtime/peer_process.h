// Which process is at the other end of a loopback TCP connection: the socket's inode from
// /proc/net/tcp, then the processes holding it. A runtime's Runtime API listener takes connections
// only from that runtime's own processes, since TCP on loopback says nothing of who connects
// (other functions share the machine's network).
#ifndef FANOUT_WORKER_RUNTIME_PEER_PROCESS_H_
#define FANOUT_WORKER_RUNTIME_PEER_PROCESS_H_

#include <sys/types.h>

namespace fanout::worker {

// Whether the peer of connected socket `fd` (IPv4 loopback) is held by `root` or a process
// descended from it. Reads /proc; false when anything cannot be read.
bool ConnectedFromProcessTree(int fd, pid_t root);

}  // namespace fanout::worker

#endif  // FANOUT_WORKER_RUNTIME_PEER_PROCESS_H_
