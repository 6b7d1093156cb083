// A durable workflow: archive the files of a directory into one file, then delete the originals.
//   archive_files DSN DIR [--crash-after STEP]
// Each step's result is stored; run it with --crash-after list_files (the process dies right after that step
// completes), then again without: the second run resumes the same workflow run and does not list again.
//
// Steps: list_files (names and sizes), create_archive (writes DIR.archive: a header line per file followed by
// its bytes), delete_originals (idempotent: a missing file is already deleted).

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <pgqrs/pgqrs.hpp>

namespace fs = std::filesystem;
using pgqrs::json;

namespace {

std::string crash_after;  // step name after which the process dies (demonstrates resumption)

void maybe_crash(const std::string& step) {
  if (step == crash_after) {
    std::cout << "  (crashing right after step " << step << ")" << std::endl;
    std::_Exit(3);
  }
}

struct file_entry {
  std::string name;
  std::uintmax_t size = 0;
};
void to_json(json& j, const file_entry& f) { j = json{{"name", f.name}, {"size", f.size}}; }
void from_json(const json& j, file_entry& f) {
  j.at("name").get_to(f.name);
  j.at("size").get_to(f.size);
}

const pgqrs::workflow_def archive_files{
    "archive_files", [](pgqrs::workflow_run& run, const json& input) -> json {
      const fs::path dir = input.at("dir").get<std::string>();

      auto files = pgqrs::workflow_step(run, "list_files", [&] {
        std::cout << "  step list_files: scanning " << dir << std::endl;
        std::vector<file_entry> found;
        for (const auto& e : fs::directory_iterator(dir)) {
          if (e.is_regular_file()) found.push_back({e.path().filename().string(), e.file_size()});
        }
        std::sort(found.begin(), found.end(), [](auto& a, auto& b) { return a.name < b.name; });
        return found;
      });
      maybe_crash("list_files");

      auto archive = pgqrs::workflow_step(run, "create_archive", [&] {
        const auto out = dir.string() + ".archive";
        std::cout << "  step create_archive: writing " << out << std::endl;
        std::ofstream os(out, std::ios::binary | std::ios::trunc);  // rewritten whole if repeated
        for (const auto& f : files) {
          std::ifstream is(dir / f.name, std::ios::binary);
          os << f.name << ' ' << f.size << '\n' << is.rdbuf();
        }
        if (!os) throw pgqrs::transient_step_error("IO", "could not write " + out);
        return out;
      });
      maybe_crash("create_archive");

      auto deleted = pgqrs::workflow_step(run, "delete_originals", [&] {
        std::cout << "  step delete_originals" << std::endl;
        int n = 0;
        for (const auto& f : files) n += fs::remove(dir / f.name) ? 1 : 0;
        return n;
      });
      return json{{"archive", archive}, {"files", files.size()}, {"deleted", deleted}};
    }};

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 3) {
    std::cerr << "usage: archive_files DSN DIR [--crash-after STEP]\n";
    return 2;
  }
  const std::string dsn = argv[1];
  const std::string dir = argv[2];
  if (argc >= 5 && std::string(argv[3]) == "--crash-after") crash_after = argv[4];

  auto store = pgqrs::connect(dsn);
  pgqrs::admin(store).install();
  pgqrs::workflow().name(archive_files).create(store);  // idempotent

  // One run per directory: the key makes a second start (e.g. after a crash) return the same run.
  auto msg = pgqrs::workflow().name(archive_files).trigger(json{{"dir", dir}}).key("archive:" + dir).execute(store);
  std::cout << "run of message " << msg.id << " for " << dir << std::endl;

  // Work until that run is finished (a real worker would poll forever: .poll(store, stop_token)).
  auto worker = pgqrs::workflow().name(archive_files).lease(std::chrono::seconds(2));
  while (true) {
    auto rec = pgqrs::run().message(msg).record(store);
    if (rec && pgqrs::is_terminal(rec->status)) break;
    if (!worker.execute(store)) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  auto result = pgqrs::run().message(msg).get(store);
  std::cout << "result: " << result->dump() << std::endl;
  for (const auto& step : pgqrs::list_steps(store, pgqrs::run().message(msg).record(store)->id)) {
    std::cout << "  " << step.step_name << ": " << pgqrs::to_string(step.status) << std::endl;
  }
  return 0;
} catch (const std::exception& e) {
  std::cerr << "archive_files: " << e.what() << "\n";
  return 1;
}
