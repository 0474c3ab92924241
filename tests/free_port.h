// Ports for the servers tests start on 127.0.0.1.
#ifndef FANOUT_TESTS_FREE_PORT_H_
#define FANOUT_TESTS_FREE_PORT_H_

namespace fanout::testing {

// The first of `count` consecutive ports, all free a moment ago, below Linux's ephemeral range
// (32768 and up). A server that is down while a client keeps connecting to it must not sit on an
// ephemeral port: the client may be handed that very port as its own source port and connect to
// itself (TCP self-connect), then wait for its own answer — RGW's pushes to a dead webhook took
// 10 s each that way.
int FreePortBelowEphemeral(int count = 1);

}  // namespace fanout::testing

#endif  // FANOUT_TESTS_FREE_PORT_H_
