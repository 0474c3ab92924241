#include "tests/history.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "worker/history.h"

namespace fanout::testing {
namespace {

using nlohmann::json;

void Add(const json& line, History* history) {
  TaskHistory& t = (*history)[{line["job"].get<std::string>(), line["task"].get<uint64_t>()}];
  const std::string status = line["status"];
  const uint64_t epoch = line["epoch"];
  if (status == "stale" || status == "lost") ++t.stale;
  if (line["kind"] == "outcome" && status == "accepted" && line["outcome"] == "results") {
    t.accepted[epoch].insert(line["digest"].get<std::string>());
  } else if (line["kind"] == "checkpoint" && status == "ok") {
    std::string cursor;
    absl::Base64Unescape(line["cursor_b64"].get<std::string>(), &cursor);
    t.checkpoints.emplace_back(epoch, std::move(cursor));
  }
}

// The epoch of the attempt that committed the task's result; 0 if none did.
uint64_t CommittedEpoch(const v1::Task& task) {
  for (const v1::Attempt& a : task.attempts()) {
    if (a.reported() && a.outcome() == v1::TASK_SUCCEEDED) return a.epoch();
  }
  return 0;
}

void CheckResults(const std::string& name, const TaskHistory& h, const v1::Task& task,
                  std::vector<std::string>* bad) {
  if (h.accepted.empty()) return;
  if (h.accepted.size() > 1) {
    bad->push_back(absl::StrCat(name, ": results accepted from ", h.accepted.size(), " leases"));
  }
  const auto& [epoch, digests] = *h.accepted.begin();
  if (task.state() != v1::TASK_SUCCEEDED || CommittedEpoch(task) != epoch) {
    bad->push_back(absl::StrCat(name, ": the result accepted from epoch ", epoch,
                                " is not the committed one (", task.ShortDebugString(), ")"));
  } else if (digests.count(worker::History::Digest(task.results())) == 0) {
    bad->push_back(absl::StrCat(name, ": the stored results are not the ones accepted"));
  }
}

void CheckCheckpoints(const std::string& name, const TaskHistory& h, const v1::Task& task,
                      const StepOf& step_of, std::vector<std::string>* bad) {
  for (const v1::Attempt& a : task.attempts()) {
    int64_t acked = -1;  // the furthest checkpoint acknowledged before this lease
    for (const auto& [epoch, cursor] : h.checkpoints) {
      if (epoch < a.epoch()) acked = std::max(acked, step_of(cursor));
    }
    const int64_t resumed = a.resumed_from().empty() ? 0 : step_of(a.resumed_from());
    if (acked >= 0 && resumed < acked) {
      bad->push_back(absl::StrCat(name, ": epoch ", a.epoch(), " resumed from step ", resumed,
                                  ", behind the acknowledged checkpoint at step ", acked));
    }
  }
}

}  // namespace

History ReadHistory(const std::string& dir) {
  History history;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".jsonl") continue;
    std::ifstream in(entry.path());
    for (std::string text; std::getline(in, text);) {
      json line = json::parse(text, nullptr, false);
      if (line.is_object() && line.contains("job")) Add(line, &history);
    }
  }
  return history;
}

std::vector<std::string> CheckHistory(const History& history, const std::vector<v1::Task>& tasks,
                                      const StepOf& step_of) {
  std::vector<std::string> bad;
  for (const v1::Task& task : tasks) {
    auto it = history.find({task.job_id(), task.index()});
    if (it == history.end()) continue;
    const std::string name = absl::StrCat(task.job_id(), "/", task.index());
    CheckResults(name, it->second, task, &bad);
    CheckCheckpoints(name, it->second, task, step_of, &bad);
  }
  return bad;
}

}  // namespace fanout::testing
