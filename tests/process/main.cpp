// The process tests' main: child modes first (see children.hpp), GoogleTest otherwise.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "children.hpp"

int main(int argc, char** argv) {
  namespace p = pgqrs::process_tests;
  const std::string mode = argc > 1 ? argv[1] : "";
  try {
    if (mode == "--drain" && argc == 6) return p::drain(argv[2], argv[3], argv[4], argv[5]);
    if (mode == "--produce" && argc == 6) return p::produce(argv[2], argv[3], std::stoi(argv[4]), argv[5]);
    if (mode == "--open-install" && argc == 4) return p::open_and_install(argv[2], argv[3]);
    if (mode == "--hold-lease" && argc == 7) {
      return p::hold_lease(argv[2], argv[3], std::stoi(argv[4]), std::stoi(argv[5]), argv[6]);
    }
#if PGQRS_TEST_HAVE_TURSO
    if (mode == "--turso-open" && argc == 3) return p::turso_open(argv[2]);
    if (mode == "--turso-drain" && argc == 4) return p::turso_drain_one_by_one(argv[2], argv[3]);
#endif
#if PGQRS_TEST_HAVE_S3
    if (mode == "--s3-race" && argc == 9) {
      return p::s3_race(argv[2], argv[3], argv[4], argv[5], std::stoi(argv[6]), std::stoi(argv[7]), argv[8]);
    }
#endif
    if (mode == "--wf-victim" && argc == 7) return p::wf_victim(argv[2], argv[3], argv[4], argv[5], std::stoi(argv[6]));
    if (mode == "--wf-rescuer" && argc == 8) {
      return p::wf_rescuer(argv[2], argv[3], argv[4], argv[5], std::stoi(argv[6]), std::stoi(argv[7]));
    }
    if (mode == "--chaos-wf" && argc == 6) return p::chaos_workflow_worker(argv[2], argv[3], argv[4], std::stoi(argv[5]));
    if (mode == "--chaos-consumer" && argc == 6) return p::chaos_consumer(argv[2], argv[3], argv[4], std::stoi(argv[5]));
    if (mode == "--wf-trigger" && argc == 6) return p::wf_trigger(argv[2], argv[3], argv[4], argv[5]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "child %s failed: %s\n", mode.c_str(), e.what());
    return 2;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
