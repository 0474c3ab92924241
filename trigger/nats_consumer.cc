#include "trigger/nats_consumer.h"

#include <nats/nats.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "glog/logging.h"
#include "trigger/message_events.h"

namespace fanout::trigger {
namespace {

// The key a redelivery keeps: the publisher's Nats-Msg-Id if it set one, else the stream sequence.
std::string MessageId(natsMsg* msg) {
  const char* id = nullptr;
  if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id != nullptr && *id != '\0') {
    return PublisherIdKey(id);
  }
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) != NATS_OK) return "";
  std::string out = absl::StrCat(meta->Stream, "/", meta->Sequence.Stream);
  jsMsgMetaData_Destroy(meta);
  return out;
}

}  // namespace

void NatsConsumer::Start() {
  thread_.Start(absl::StrCat("nats ", rule_.name, ": ", rule_.queue.address),
                [this](std::string* why) {
                  const bool ok = Session();
                  *why = absl::StrCat("session ended: ", nats_GetLastError(nullptr));
                  return ok;
                });
}

bool NatsConsumer::Session() {
  const QueueSource& q = rule_.queue;
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  natsSubscription* sub = nullptr;
  struct Cleanup {
    natsConnection*& nc;
    jsCtx*& js;
    natsSubscription*& sub;
    ~Cleanup() {
      natsSubscription_Destroy(sub);  // the durable consumer stays on the server
      jsCtx_Destroy(js);
      natsConnection_Destroy(nc);
    }
  } cleanup{nc, js, sub};
  if (natsConnection_ConnectTo(&nc, q.address.c_str()) != NATS_OK ||
      natsConnection_JetStream(&js, nc, nullptr) != NATS_OK) {
    return false;
  }
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = q.stream.c_str();
  so.Config.AckWait = absl::ToInt64Nanoseconds(q.claim_idle);
  jsErrCode jerr = static_cast<jsErrCode>(0);
  if (js_PullSubscribe(&sub, js, q.subject.c_str(), q.group.c_str(), nullptr, &so, &jerr) !=
      NATS_OK) {
    LOG(ERROR) << "nats " << rule_.name << ": pull subscribe to " << q.stream << "/" << q.group
               << ": " << nats_GetLastError(nullptr) << " (" << jerr << ")";
    return false;
  }
  const int64_t wait_ms = absl::ToInt64Milliseconds(q.block);
  while (!thread_.stopping()) {
    natsMsgList list = {nullptr, 0};
    const natsStatus s =
        natsSubscription_Fetch(&list, sub, static_cast<int>(q.count), wait_ms, &jerr);
    if (s == NATS_TIMEOUT) continue;
    if (s != NATS_OK) return false;
    HandleAll(list);
    natsMsgList_Destroy(&list);
  }
  return true;
}

void NatsConsumer::HandleAll(const natsMsgList& list) {
  // The fetch's messages in one submit call (one disk sync for all of them).
  std::vector<Message> messages;
  for (int i = 0; i < list.Count; ++i) {
    natsMsg* msg = list.Msgs[i];
    messages.push_back(
        {std::string(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)), MessageId(msg)});
  }
  const std::vector<Delivered> delivered = DeliverMessages(rule_, submitter_, messages);
  for (int i = 0; i < list.Count; ++i) {
    natsMsg* msg = list.Msgs[i];
    if (delivered[i].delivery == Delivery::kAccepted) {
      natsMsg_Ack(msg, nullptr);
    } else if (delivered[i].delivery == Delivery::kRejected) {
      LOG(ERROR) << "nats " << rule_.name << ": message " << messages[i].id
                 << " terminated: " << delivered[i].why;
      natsMsg_Term(msg, nullptr);
    } else {
      Handle(msg);  // the coordinator away: this one patiently, kept ours meanwhile
    }
  }
}

void NatsConsumer::Handle(natsMsg* msg) {
  const std::string body(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  const std::string id = MessageId(msg);
  std::string why;
  // While the coordinator is away, keep the message ours (InProgress) and try again.
  const Delivery d = DeliverPatiently(
      rule_, submitter_, body, id, thread_.stopping(), [msg] { natsMsg_InProgress(msg, nullptr); },
      &why);
  if (d == Delivery::kAccepted) {
    natsMsg_Ack(msg, nullptr);
  } else if (d == Delivery::kRejected) {
    LOG(ERROR) << "nats " << rule_.name << ": message " << id << " terminated: " << why;
    natsMsg_Term(msg, nullptr);
  }  // stopping: not acknowledged, the server redelivers it after AckWait
}

}  // namespace fanout::trigger
