#include "common/clock.h"

namespace fanout {

Clock& RealClock::Get() {
  static RealClock* clock = new RealClock();
  return *clock;
}

}  // namespace fanout
