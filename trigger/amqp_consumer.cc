#include "trigger/amqp_consumer.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "glog/logging.h"
#include "s3/sigv4.h"
#include "trigger/message_events.h"

namespace fanout::trigger {
namespace {

constexpr amqp_channel_t kChannel = 1;

std::string Bytes(amqp_bytes_t b) { return std::string(static_cast<const char*>(b.bytes), b.len); }

bool Failed(amqp_connection_state_t conn, const char* what, std::string* why) {
  const amqp_rpc_reply_t r = amqp_get_rpc_reply(conn);
  if (r.reply_type == AMQP_RESPONSE_NORMAL) return false;
  *why = absl::StrCat(what, ": ",
                      r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION
                          ? amqp_error_string2(r.library_error)
                          : "refused by the broker (check names and permissions)");
  return true;
}

// The key a redelivery keeps: the publisher's message id, else the body's digest.
std::string MessageId(const amqp_message_t& message, const std::string& body) {
  if (message.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) {
    return PublisherIdKey(Bytes(message.properties.message_id));
  }
  return absl::StrCat("sha256/", s3::Sha256Hex(body));
}

}  // namespace

void AmqpConsumer::Start() {
  thread_.Start(absl::StrCat("amqp ", rule_.name),
                [this](std::string* why) { return Session(why); });
}

namespace {

// Connects, logs in and opens the channel.
bool Open(amqp_connection_state_t conn, const std::string& address, std::string* why) {
  std::vector<char> url(address.begin(), address.end());
  url.push_back('\0');
  amqp_connection_info info;
  if (amqp_parse_url(url.data(), &info) != AMQP_STATUS_OK) {
    *why = absl::StrCat("address: '", address, "' is not amqp://USER:PASS@HOST:PORT/VHOST");
    return false;
  }
  // "amqp://host:port/" names the vhost "" to the parser; RabbitMQ's default one is "/".
  const char* vhost = info.vhost == nullptr || *info.vhost == '\0' ? "/" : info.vhost;
  amqp_socket_t* socket = amqp_tcp_socket_new(conn);
  if (socket == nullptr || amqp_socket_open(socket, info.host, info.port) != AMQP_STATUS_OK) {
    *why = absl::StrCat("cannot connect to ", info.host, ":", info.port);
    return false;
  }
  const amqp_rpc_reply_t login = amqp_login(conn, vhost, 0, 131072, /*heartbeat=*/0,
                                            AMQP_SASL_METHOD_PLAIN, info.user, info.password);
  if (login.reply_type != AMQP_RESPONSE_NORMAL) {
    *why = absl::StrCat("login to ", info.host, ":", info.port, " as ", info.user, " refused");
    return false;
  }
  amqp_channel_open(conn, kChannel);
  return !Failed(conn, "channel", why);
}

// Declares the queue (and the exchange it is bound to, if any) and starts consuming it.
bool Subscribe(amqp_connection_state_t conn, const QueueSource& q, std::string* why) {
  const amqp_bytes_t queue = amqp_cstring_bytes(q.queue.c_str());
  amqp_queue_declare(conn, kChannel, queue, 0, /*durable=*/1, 0, 0, amqp_empty_table);
  if (Failed(conn, "queue.declare", why)) return false;
  if (!q.stream.empty()) {
    amqp_exchange_declare(conn, kChannel, amqp_cstring_bytes(q.stream.c_str()),
                          amqp_cstring_bytes("topic"), 0, /*durable=*/1, 0, 0, amqp_empty_table);
    if (Failed(conn, "exchange.declare", why)) return false;
    amqp_queue_bind(conn, kChannel, queue, amqp_cstring_bytes(q.stream.c_str()),
                    amqp_cstring_bytes(q.subject.empty() ? "#" : q.subject.c_str()),
                    amqp_empty_table);
    if (Failed(conn, "queue.bind", why)) return false;
  }
  amqp_basic_qos(conn, kChannel, 0, static_cast<uint16_t>(std::min<uint64_t>(q.count, 65535)), 0);
  amqp_basic_consume(conn, kChannel, queue, amqp_empty_bytes, 0, /*no_ack=*/0, 0, amqp_empty_table);
  return !Failed(conn, "basic.consume", why);
}

}  // namespace

bool AmqpConsumer::Session(std::string* why) {
  amqp_connection_state_t conn = amqp_new_connection();
  struct Closer {
    amqp_connection_state_t conn;
    ~Closer() {
      amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
      amqp_destroy_connection(conn);
    }
  } closer{conn};
  if (!Open(conn, rule_.queue.address, why) || !Subscribe(conn, rule_.queue, why)) return false;
  const int64_t wait_us = absl::ToInt64Microseconds(rule_.queue.block);
  while (!thread_.stopping()) {
    amqp_maybe_release_buffers(conn);
    amqp_envelope_t envelope;
    timeval timeout = {static_cast<time_t>(wait_us / 1'000'000),
                       static_cast<suseconds_t>(wait_us % 1'000'000)};
    const amqp_rpc_reply_t r = amqp_consume_message(conn, &envelope, &timeout, 0);
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) {
      continue;
    }
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
      *why = "connection lost";
      return false;
    }
    Handle(conn, envelope);
    amqp_destroy_envelope(&envelope);
  }
  return true;
}

void AmqpConsumer::Handle(amqp_connection_state_t conn, const amqp_envelope_t& envelope) {
  const std::string body = Bytes(envelope.message.body);
  const std::string id = MessageId(envelope.message, body);
  std::string why;
  const Delivery d = DeliverPatiently(
      rule_, submitter_, body, id, thread_.stopping(), [] {}, &why);
  if (d == Delivery::kAccepted) {
    amqp_basic_ack(conn, kChannel, envelope.delivery_tag, 0);
  } else if (d == Delivery::kRejected) {
    LOG(ERROR) << "amqp " << rule_.name << ": message " << id << " rejected: " << why;
    amqp_basic_reject(conn, kChannel, envelope.delivery_tag, /*requeue=*/0);
  }  // stopping: left unacknowledged, the broker requeues it when the connection closes
}

}  // namespace fanout::trigger
