// Observations built the way the behaviour contract lays them out, from GetSpec's numbers alone: frame_stack
// frames (oldest first), each the observation blocks in order; a `rays` block holds, per ray, one float per tag
// (one-hot, all zero on a miss), then hit (1/0), then distance / max_distance (1 on a miss).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "botsdk/bridge/v1/bridge.pb.h"

namespace engine {

class ObservationBuilder {
 public:
  // Throws std::runtime_error when the spec's layout does not add up (the engine must not guess).
  explicit ObservationBuilder(const botsdk::bridge::v1::Spec& spec);

  std::size_t size() const { return size_; }
  // One agent's observation at `tick`, written to out[0, size()): a stand-in world that changes every tick.
  void Fill(std::uint32_t agent, std::uint64_t tick, float* out) const;

 private:
  struct Block {
    std::string name;
    std::uint32_t size;
  };
  void FillFrame(std::uint32_t agent, std::uint64_t tick, float* out) const;

  std::vector<Block> blocks_;
  std::uint32_t frame_stack_ = 1;
  std::uint32_t frame_size_ = 0;
  std::uint32_t tags_ = 0;
  std::size_t size_ = 0;
};

}  // namespace engine
