// `fanout cost`: what a job's invocations used (requests, GB-seconds) and what AWS Lambda would
// have charged for them; or, given --requests/--duration/--memory_mb instead of a job, an estimate.
#include <cmath>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "cli/client.h"
#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/job_json.h"
#include "common/json_text.h"
#include "common/metering.h"
#include "common/plural.h"
#include "nlohmann/json.hpp"

namespace fanout::cli {
namespace {

using nlohmann::json;

struct Metered {
  std::string job_id;  // empty for an estimate
  uint32_t memory_mb = kDefaultMemoryMb;
  v1::Usage usage;
};

absl::StatusOr<LambdaPrices> PricesFromFlags() {
  LambdaPrices prices;
  if (absl::GetFlag(FLAGS_gb_second_price) < 0 || absl::GetFlag(FLAGS_request_price) < 0) {
    return absl::InvalidArgumentError("--gb_second_price, --request_price: must not be negative");
  }
  if (absl::GetFlag(FLAGS_gb_second_price) > 0) {
    prices.per_gb_second = absl::GetFlag(FLAGS_gb_second_price);
  }
  if (absl::GetFlag(FLAGS_request_price) > 0) {
    prices.per_request = absl::GetFlag(FLAGS_request_price) / 1e6;
  }
  return prices;
}

absl::StatusOr<Metered> Estimate() {
  Metered m;
  const int64_t requests = absl::GetFlag(FLAGS_requests);
  const absl::Duration each = absl::GetFlag(FLAGS_duration);
  const int memory = absl::GetFlag(FLAGS_memory_mb);
  if (!FlagGiven("requests") && !FlagGiven("duration")) {
    return absl::InvalidArgumentError(
        "cost: give a JOB, or --requests=N --duration=D [--memory_mb=M] for an estimate");
  }
  if (requests <= 0) return absl::InvalidArgumentError("--requests: must be positive");
  if (!FlagGiven("duration")) {
    return absl::InvalidArgumentError("--duration: missing (how long each invocation runs)");
  }
  if (each <= absl::ZeroDuration())
    return absl::InvalidArgumentError("--duration: must be positive");
  if (memory != 0 && (memory < 128 || memory > 10240)) {
    return absl::InvalidArgumentError("--memory_mb: must be within 128..10240");
  }
  m.memory_mb = memory == 0 ? kDefaultMemoryMb : memory;
  // One invocation metered, then scaled: the same rounding as metering each one.
  v1::Usage one;
  Meter(each, m.memory_mb, &one);
  m.usage.set_requests(requests);
  m.usage.set_billed_ms(one.billed_ms() * requests);
  m.usage.set_gb_seconds(one.gb_seconds() * requests);
  return m;
}

// Dollar amounts in JSON: to the nano-dollar (prices, which are smaller, to the pico-dollar), not
// 2.0000000000000002e-07.
double Nano(double dollars) { return std::round(dollars * 1e9) / 1e9; }
double Pico(double dollars) { return std::round(dollars * 1e12) / 1e12; }

json CostJson(const Metered& m, const LambdaPrices& prices, bool free_tier, const LambdaCost& c) {
  json out = {{"memory_mb", m.memory_mb},
              {"requests", m.usage.requests()},
              {"billed_seconds", m.usage.billed_ms() / 1000.0},
              {"gb_seconds", m.usage.gb_seconds()},
              {"free_tier", free_tier},
              {"price_per_request", Pico(prices.per_request)},
              {"price_per_gb_second", Pico(prices.per_gb_second)},
              {"billable_requests", c.billable_requests},
              {"billable_gb_seconds", c.billable_gb_seconds},
              {"request_charge_usd", Nano(c.request_charge)},
              {"compute_charge_usd", Nano(c.compute_charge)},
              {"total_usd", Nano(c.total)},
              {"exact_total_usd", Nano(c.exact_total)}};
  if (!m.job_id.empty()) out["job_id"] = m.job_id;
  return out;
}

// "0.0000166667", not "1.66667e-05".
std::string Price(double dollars) { return Decimals(dollars, 10); }

void PrintCost(const Metered& m, const LambdaPrices& prices, bool free_tier, const LambdaCost& c) {
  std::cout << absl::StrFormat("%s: %s, %.3f s billed at %d MB = %.3f GB-s\n",
                               m.job_id.empty() ? "estimate" : m.job_id,
                               Counted(m.usage.requests(), "request"), m.usage.billed_ms() / 1000.0,
                               m.memory_mb, m.usage.gb_seconds());
  const bool list = prices.per_gb_second == LambdaPrices().per_gb_second &&
                    prices.per_request == LambdaPrices().per_request;
  std::cout << "On AWS Lambda at " << (list ? "list prices" : "the prices given")
            << (free_tier ? " (free tier subtracted: 1M requests, 400,000 GB-s)" : "") << ":\n";
  // Each amount exact where rounding to the cent would make it $0.00: that the cost is tiny is the
  // point of the line.
  std::cout << absl::StrFormat("  requests  %16d      x $%s = $%s\n", c.billable_requests,
                               Price(prices.per_request),
                               Money(c.request_charge, c.billable_requests * prices.per_request));
  std::cout << absl::StrFormat(
      "  compute   %16.3f GB-s x $%s = $%s\n", c.billable_gb_seconds, Price(prices.per_gb_second),
      Money(c.compute_charge, c.billable_gb_seconds * prices.per_gb_second));
  std::cout << absl::StrFormat("  total     $%s", Money(c.total, c.exact_total));
  std::cout << "\n";
}

}  // namespace

int CostCommand(const std::string& job_id) {
  absl::StatusOr<LambdaPrices> prices = PricesFromFlags();
  if (!prices.ok()) return Fail(prices.status());
  Metered metered;
  if (job_id.empty()) {
    absl::StatusOr<Metered> estimate = Estimate();
    if (!estimate.ok()) return Fail(estimate.status());
    metered = *estimate;
  } else {
    // A job's usage is what was metered: an estimate's flags beside it would be ignored.
    for (const char* flag : {"requests", "duration", "memory_mb"}) {
      if (FlagGiven(flag)) {
        return Fail(absl::InvalidArgumentError(
            absl::StrCat("cost: --", flag,
                         " is for an estimate; a job's cost is what it used (drop JOB or it)")));
      }
    }
    Client client = Connect();
    v1::Job job;
    grpc::Status status = GetJob(client, job_id, &job);
    if (!status.ok()) return Fail(client, status);
    metered.job_id = job.job_id();
    metered.memory_mb = MemoryMb(job.spec().options());
    metered.usage = job.usage();
  }
  const bool free_tier = absl::GetFlag(FLAGS_free_tier);
  const LambdaCost cost =
      PriceOnLambda(metered.usage.requests(), metered.usage.gb_seconds(), *prices, free_tier);
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << DumpJson(CostJson(metered, *prices, free_tier, cost)) << "\n";
  } else {
    PrintCost(metered, *prices, free_tier, cost);
  }
  return kExitOk;
}

}  // namespace fanout::cli
