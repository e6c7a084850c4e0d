#include "observations.h"

#include <cmath>
#include <stdexcept>

namespace engine {

namespace {

// A small deterministic hash so every run sends the same world (splitmix64).
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

float Unit(std::uint64_t h) { return static_cast<float>(h >> 40) / static_cast<float>(1ULL << 24); }

}  // namespace

ObservationBuilder::ObservationBuilder(const botsdk::bridge::v1::Spec& spec) {
  frame_stack_ = spec.frame_stack() ? spec.frame_stack() : 1;
  tags_ = static_cast<std::uint32_t>(spec.ray_tags_size());
  for (const auto& block : spec.observation_blocks()) {
    blocks_.push_back({block.name(), block.size()});
    frame_size_ += block.size();
    if (block.name() == "rays" && block.size() % (tags_ + 2) != 0) {
      throw std::runtime_error("rays block of " + std::to_string(block.size()) + " floats is not a whole number of " +
                               std::to_string(tags_ + 2) + "-float rays");
    }
  }
  size_ = static_cast<std::size_t>(frame_size_) * frame_stack_;
  if (blocks_.empty() || size_ != spec.observation_size()) {
    throw std::runtime_error("observation layout: frame_stack " + std::to_string(frame_stack_) + " x blocks of " +
                             std::to_string(frame_size_) + " floats != observation_size " +
                             std::to_string(spec.observation_size()));
  }
}

void ObservationBuilder::Fill(std::uint32_t agent, std::uint64_t tick, float* out) const {
  for (std::uint32_t frame = 0; frame < frame_stack_; ++frame) {  // oldest first
    const std::uint64_t age = frame_stack_ - 1 - frame;
    FillFrame(agent, tick >= age ? tick - age : 0, out + static_cast<std::size_t>(frame) * frame_size_);
  }
}

void ObservationBuilder::FillFrame(std::uint32_t agent, std::uint64_t tick, float* out) const {
  const std::uint64_t seed = Mix((static_cast<std::uint64_t>(agent) << 32) ^ tick);
  for (const Block& block : blocks_) {
    if (block.name == "rays") {
      const std::uint32_t stride = tags_ + 2;
      for (std::uint32_t ray = 0; ray < block.size / stride; ++ray, out += stride) {
        const std::uint64_t h = Mix(seed ^ (ray + 1));
        for (std::uint32_t t = 0; t < stride; ++t) out[t] = 0.0f;
        if (Unit(h) < 0.3f) {  // a miss: no tag, hit 0, distance 1
          out[tags_ + 1] = 1.0f;
        } else {
          if (tags_) out[(h >> 8) % tags_] = 1.0f;
          out[tags_] = 1.0f;
          out[tags_ + 1] = 0.05f + 0.95f * Unit(Mix(h));
        }
      }
    } else {  // scalar blocks (self, enemy, ...): bounded values that drift with time
      for (std::uint32_t i = 0; i < block.size; ++i) {
        *out++ = std::sin(0.05f * static_cast<float>(tick) + 0.7f * static_cast<float>(i) + Unit(seed ^ i));
      }
    }
  }
}

}  // namespace engine
