// Hostile input on every backend (issue 14): names that try to break out of SQL (quotes, semicolons,
// comments), unicode, control characters and 10 KB strings, for queues, workers, workflows, steps and trigger
// keys; payloads at and one past every validation limit. Each is either refused with a validation error
// before it reaches the database, or stored and read back byte for byte; and afterwards the schema is intact
// (no statement ran that the input smuggled in).
#include <limits>
#include <string>
#include <vector>

#include "../conformance/fixture.hpp"

namespace pgqrs::testing {
namespace {

const std::vector<std::string>& storable_names() {
  static const std::vector<std::string> names{
      "x'); DROP TABLE pgqrs_queues; --",
      "\"; DELETE FROM pgqrs_messages; --",
      "a'b\"c`d\\e",
      "/* comment */ name -- trailing",
      "$1 $$ dollar $$ ?1 :name @p",
      "队列-émoji-🚀-\u202e-rtl",
      "tab\tnew\nline\rcarriage",
      std::string(255, 'n'),
  };
  return names;
}

const std::vector<std::string>& refused_names() {
  static const std::vector<std::string> names{
      "",
      std::string(256, 'x'),
      std::string(10 * 1024, 'y'),
      std::string("nul\0inside", 10),
      "\xff\xfe invalid utf-8",
      "\xc0\xaf overlong slash",
      "\xed\xa0\x80 surrogate",
  };
  return names;
}

class hostile_input : public store_test {
 protected:
  void SetUp() override {
    store_test::SetUp();
    reopen([](config& c) { c.validation.max_enqueue_per_second.reset(); });
  }

  /// The tables the input might have tried to drop or empty are still there and still answer.
  void expect_schema_intact() {
    EXPECT_NO_THROW(admin(s()).verify());
    EXPECT_NO_THROW((void)s().queues().count());
    EXPECT_NO_THROW((void)s().messages().count());
  }
};

TEST_F(hostile_input, queue_names_are_stored_verbatim_or_refused) {
  for (const auto& name : storable_names()) {
    SCOPED_TRACE(name);
    const auto q = s().queue(name);
    EXPECT_EQ(q.queue_name, name);
    ASSERT_TRUE(s().queues().get_by_name(name));
    EXPECT_EQ(s().queues().get_by_name(name)->queue_name, name);
    EXPECT_EQ(admin(s()).get_queue(name).id, q.id);
  }
  for (const auto& name : refused_names()) {
    SCOPED_TRACE(name.size());
    EXPECT_THROW(s().queue(name), validation_error);
  }
  EXPECT_EQ(s().queues().count(), static_cast<std::int64_t>(storable_names().size()));
  expect_schema_intact();
}

TEST_F(hostile_input, worker_names_are_stored_verbatim_or_refused) {
  s().queue("q");
  for (const auto& name : storable_names()) {
    SCOPED_TRACE(name);
    auto c = s().consumer("q", name);
    EXPECT_EQ(s().workers().get(c.worker_id())->name, name);
  }
  for (const auto& name : refused_names()) {
    SCOPED_TRACE(name.size());
    EXPECT_THROW((void)s().consumer("q", name), validation_error);
  }
  expect_schema_intact();
}

TEST_F(hostile_input, workflow_step_and_key_names_are_stored_verbatim_or_refused) {
  for (const auto& name : storable_names()) {
    SCOPED_TRACE(name);
    workflow().name(name).create(s());
    ASSERT_TRUE(get_workflow(s(), name));
    EXPECT_EQ(get_workflow(s(), name)->name, name);
    const auto m = workflow().name(name).trigger(json{{"n", 1}}).key(name).execute(s());
    EXPECT_EQ(workflow().name(name).trigger(json{{"n", 2}}).key(name).execute(s()).id, m.id)
        << "the same key finds the same run";
  }
  for (const auto& name : refused_names()) {
    SCOPED_TRACE(name.size());
    EXPECT_THROW(workflow().name(name).create(s()), validation_error);
    EXPECT_THROW(workflow().name(storable_names()[0]).trigger(json{{"n", 1}}).key(name).execute(s()),
                 validation_error);
  }

  // Step names, through a run executed step by step.
  const std::string wf = storable_names()[0];
  auto worker = s().consumer(wf, unique_name("w"));
  auto ex = run_execution::claim(s(), wf, worker);
  ASSERT_TRUE(ex);
  for (const auto& name : storable_names()) {
    SCOPED_TRACE(name);
    ASSERT_FALSE(ex->begin_step(name).done);
    ex->complete_step(name, json(name));
  }
  for (const auto& name : refused_names()) {
    SCOPED_TRACE(name.size());
    EXPECT_THROW((void)ex->begin_step(name), validation_error);
  }
  const auto run_id = ex->record().id;
  ex->complete(nullptr);
  const auto steps = list_steps(s(), run_id);
  ASSERT_EQ(steps.size(), storable_names().size());
  for (const auto& step : steps) EXPECT_EQ(step.output, json(step.step_name)) << "name and output verbatim";
  expect_schema_intact();
}

/// A payload whose compact JSON text is exactly `bytes` long: {"p":"xxx…"}.
json payload_of_size(std::size_t bytes) {
  const std::size_t overhead = std::string(R"({"p":""})").size();
  return json{{"p", std::string(bytes - overhead, 'x')}};
}

/// A scalar at `depth` (spec §11.3: the root is depth 0, each member one deeper): {"a":{"a":…1}}.
json value_at_depth(std::size_t depth) {
  json v = 1;
  for (std::size_t i = 0; i < depth; ++i) v = json{{"a", v}};
  return v;
}

TEST_F(hostile_input, payloads_at_every_limit_are_accepted_and_one_past_it_refused) {
  reopen([](config& c) {
    c.validation.max_enqueue_per_second.reset();
    c.validation.max_payload_size_bytes = 4096;
    c.validation.max_string_length = 5000;  // the size limit, not the string limit, is what bites here
  });
  s().queue("q");
  auto p = s().producer("q", unique_name("p"));

  const auto at_size = p.enqueue(payload_of_size(4096));
  EXPECT_EQ(s().messages().get(at_size.id)->payload, payload_of_size(4096)) << "stored verbatim";
  EXPECT_THROW(p.enqueue(payload_of_size(4097)), payload_too_large);

  reopen([](config& c) { c.validation = validation_config{}; c.validation.max_enqueue_per_second.reset(); });
  auto p2 = s().producer("q", unique_name("p"));
  const std::size_t max_string = s().config().validation.max_string_length;
  EXPECT_NO_THROW(p2.enqueue(json{{"s", std::string(max_string, 's')}}));
  EXPECT_THROW(p2.enqueue(json{{"s", std::string(max_string + 1, 's')}}), validation_error);

  const std::size_t max_depth = s().config().validation.max_object_depth;
  EXPECT_NO_THROW(p2.enqueue(value_at_depth(max_depth)));
  EXPECT_THROW(p2.enqueue(value_at_depth(max_depth + 1)), validation_error);

  EXPECT_THROW(p2.enqueue(json{{"__proto__", 1}}), validation_error);
  EXPECT_THROW(p2.enqueue(json{{"s", std::string("a\0b", 3)}}), validation_error);
  EXPECT_THROW(p2.enqueue(json{{"n", std::numeric_limits<double>::quiet_NaN()}}), validation_error);
  EXPECT_THROW(p2.enqueue(json{{"n", std::numeric_limits<double>::infinity()}}), validation_error);
  EXPECT_THROW(p2.enqueue(json{{"s", "\xff"}}), serialization_error);

  // A hostile payload is data: stored and handed back as it was.
  const json sql_in_payload{{"q", "'); DROP TABLE pgqrs_messages; --"}, {"u", "🚀\u0001\u001f"}};
  const auto m = p2.enqueue(sql_in_payload);
  EXPECT_EQ(s().messages().get(m.id)->payload, sql_in_payload);
  EXPECT_EQ(s().messages().count(), 4) << "only the accepted payloads were stored";
  expect_schema_intact();
}

}  // namespace
}  // namespace pgqrs::testing
