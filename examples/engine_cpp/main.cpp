// An engine's side of the botsdk bridge in C++17: GetSpec once, then one Session stream that sends every agent's
// observation each tick and applies the returned actions. It checks every answer against the contract and prints
// round-trip percentiles. Exit code 0: all answers well-formed; 1: a check failed; 2: bad usage or no server.
//
//   engine_client [--target 127.0.0.1:50051] [--agents 64] [--ticks 1000] [--token-file FILE]
//
// Along the way it exercises what a real game does: agents that respawn (`ended` + `episode_start`), and one tick
// where one agent's sensor returns NaN: that agent alone gets a per-agent error, the others keep deciding.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "botsdk/bridge/v1/bridge.grpc.pb.h"
#include "observations.h"

namespace bridge = botsdk::bridge::v1;

namespace {

struct Options {
  std::string target = "127.0.0.1:50051";
  std::uint32_t agents = 64;
  std::uint64_t ticks = 1000;
  std::string token;
};

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument(flag + ": expected a value");
    const std::string value = argv[++i];
    if (flag == "--target") {
      o.target = value;
    } else if (flag == "--agents") {
      o.agents = static_cast<std::uint32_t>(std::stoul(value));
    } else if (flag == "--ticks") {
      o.ticks = std::stoull(value);
    } else if (flag == "--token-file") {
      std::ifstream file(value);
      if (!(file >> o.token)) throw std::invalid_argument("--token-file: cannot read a token from " + value);
    } else {
      throw std::invalid_argument("unknown option " + flag);
    }
  }
  if (o.agents < 8 || o.ticks < 4) throw std::invalid_argument("expected --agents >= 8 and --ticks >= 4");
  return o;
}

void Authorize(grpc::ClientContext& context, const Options& o) {
  if (!o.token.empty()) context.AddMetadata("authorization", "Bearer " + o.token);
}

// What one tick sends beyond observations: which agents respawn, which one's sensor is broken.
struct TickPlan {
  bool first = false;
  std::int64_t respawn = -1;
  std::int64_t broken = -1;
};

TickPlan PlanTick(std::uint64_t tick, const Options& o) {
  TickPlan plan;
  plan.first = tick == 0;
  if (tick > 0 && tick % 100 == 0) plan.respawn = static_cast<std::int64_t>((tick / 100) % o.agents);
  if (tick == o.ticks / 2) plan.broken = 7;
  return plan;
}

void BuildTick(std::uint64_t tick, const TickPlan& plan, const Options& o, const engine::ObservationBuilder& obs,
               const std::vector<std::string>& ids, std::vector<float>& buffer, bridge::Tick& out) {
  out.Clear();
  out.set_tick(tick + 1);  // 0 is the proto default; counting from 1 makes a lost field visible
  bridge::AgentBatch* batch = out.mutable_batch();
  const std::size_t width = obs.size();
  for (std::uint32_t a = 0; a < o.agents; ++a) {
    batch->add_agent_ids(ids[a]);
    obs.Fill(a, tick, buffer.data() + a * width);
    batch->add_episode_start(plan.first || static_cast<std::int64_t>(a) == plan.respawn);
  }
  if (plan.respawn >= 0) batch->add_ended(ids[plan.respawn]);  // freed before this decision, then started anew
  if (plan.broken >= 0) buffer[plan.broken * width + 3] = std::numeric_limits<float>::quiet_NaN();
  bridge::FloatTensor* tensor = batch->mutable_observations();
  tensor->add_shape(o.agents);
  tensor->add_shape(static_cast<std::uint32_t>(width));
  // raw little-endian float32 (every platform an engine ships on is little-endian)
  tensor->set_raw(reinterpret_cast<const char*>(buffer.data()), buffer.size() * sizeof(float));
}

// Empty when the answer is what the contract promises, else what is wrong.
std::string Check(const bridge::TickActions& reply, std::uint64_t sent_tick, const TickPlan& plan,
                  const Options& o, const bridge::Spec& spec) {
  std::ostringstream problem;
  const auto heads = static_cast<std::uint32_t>(spec.head_sizes_size());
  const bridge::Actions& actions = reply.actions();
  if (reply.tick() != sent_tick) problem << "tick " << reply.tick() << " answers tick " << sent_tick << "; ";
  if (actions.shape_size() != 2 || actions.shape(0) != o.agents || actions.shape(1) != heads ||
      actions.actions_size() != static_cast<int>(o.agents * heads)) {
    problem << "shape is not [" << o.agents << ", " << heads << "]; ";
    return problem.str();
  }
  const int expected_errors = plan.broken >= 0 ? 1 : 0;
  if (actions.errors_size() != expected_errors) {
    problem << actions.errors_size() << " agent errors, expected " << expected_errors << "; ";
  }
  for (const auto& error : actions.errors()) {
    if (static_cast<std::int64_t>(error.index()) != plan.broken || error.code() != "INVALID_ARGUMENT") {
      problem << "unexpected error for agent " << error.agent_id() << ": " << error.code() << " " << error.message()
              << "; ";
    }
  }
  for (std::uint32_t a = 0; a < o.agents; ++a) {
    const bool refused = static_cast<std::int64_t>(a) == plan.broken;
    for (std::uint32_t h = 0; h < heads; ++h) {
      const int index = actions.actions(static_cast<int>(a * heads + h));
      const bool valid = refused ? index == -1 : index >= 0 && index < static_cast<int>(spec.head_sizes(h));
      if (!valid) {
        problem << "agent " << a << " head " << spec.head_names(h) << " index " << index << "; ";
        return problem.str();
      }
    }
  }
  return problem.str();
}

double Percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const std::size_t i = static_cast<std::size_t>(std::ceil(q * values.size())) - 1;
  return values[std::min(i, values.size() - 1)];
}

int Run(const Options& o) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  auto channel = grpc::CreateCustomChannel(o.target, grpc::InsecureChannelCredentials(), args);
  auto stub = bridge::BotBridge::NewStub(channel);

  bridge::Spec spec;
  {
    grpc::ClientContext context;
    Authorize(context, o);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    const grpc::Status status = stub->GetSpec(&context, bridge::GetSpecRequest(), &spec);
    if (!status.ok()) {
      std::cerr << "GetSpec on " << o.target << ": " << status.error_code() << " " << status.error_message() << "\n";
      return 2;
    }
  }
  if (o.agents > spec.limits().max_agents_per_request()) {
    std::cerr << "--agents " << o.agents << ": the server takes at most " << spec.limits().max_agents_per_request()
              << " per tick\n";
    return 2;
  }
  const engine::ObservationBuilder observations(spec);
  std::vector<std::string> ids;
  for (std::uint32_t a = 0; a < o.agents; ++a) ids.push_back("bot_" + std::to_string(a));
  std::vector<float> buffer(static_cast<std::size_t>(o.agents) * observations.size());

  grpc::ClientContext context;
  Authorize(context, o);
  auto stream = stub->Session(&context);
  bridge::Tick tick_message;
  bridge::TickActions reply;
  std::vector<double> round_trips_us;
  round_trips_us.reserve(o.ticks);
  std::uint64_t failures = 0;
  for (std::uint64_t tick = 0; tick < o.ticks; ++tick) {
    const TickPlan plan = PlanTick(tick, o);
    BuildTick(tick, plan, o, observations, ids, buffer, tick_message);
    const auto start = std::chrono::steady_clock::now();
    if (!stream->Write(tick_message) || !stream->Read(&reply)) {
      const grpc::Status status = stream->Finish();
      std::cerr << "tick " << tick << ": stream ended: " << status.error_code() << " " << status.error_message()
                << "\n";
      return 1;
    }
    const auto stop = std::chrono::steady_clock::now();
    round_trips_us.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
    const std::string problem = Check(reply, tick + 1, plan, o, spec);
    if (!problem.empty() && failures++ < 5) std::cerr << "tick " << tick << ": " << problem << "\n";
  }
  stream->WritesDone();
  const grpc::Status status = stream->Finish();
  if (!status.ok()) {
    std::cerr << "Session ended with " << status.error_code() << " " << status.error_message() << "\n";
    return 1;
  }
  std::printf("model %s: %llu ticks x %u agents, %llu decisions, %llu bad answers\n", spec.model_version().c_str(),
              static_cast<unsigned long long>(o.ticks), o.agents,
              static_cast<unsigned long long>(o.ticks * o.agents), static_cast<unsigned long long>(failures));
  std::printf("round trip p50_us=%.1f p99_us=%.1f\n", Percentile(round_trips_us, 0.50),
              Percentile(round_trips_us, 0.99));
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(Parse(argc, argv));
  } catch (const std::invalid_argument& error) {
    std::cerr << "usage: " << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
}
