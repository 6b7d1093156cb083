// Enqueue (spec §3.2), payload validation (§11.3) and rate limiting (§11.4).
#include "fixture.hpp"

namespace pgqrs::testing {
namespace {

using namespace std::chrono_literals;

class producers : public store_test {
 protected:
  void SetUp() override {
    store_test::SetUp();
    make_queue();
  }
  std::int64_t live_count() { return s().messages().count(); }
};

TEST_F(producers, enqueue_stores_payload_and_metadata) {
  auto p = make_producer();
  const auto before = now();
  auto m = p.enqueue(json{{"to", "a@b.c"}, {"n", 7}, {"tags", {"x", "y"}}, {"pi", 3.25}, {"none", nullptr}});
  EXPECT_GT(m.id, 0);
  EXPECT_EQ(m.queue_id, p.queue().id);
  EXPECT_EQ(m.payload,
            (json{{"to", "a@b.c"}, {"n", 7}, {"tags", {"x", "y"}}, {"pi", 3.25}, {"none", nullptr}}));
  EXPECT_EQ(m.read_ct, 0);
  EXPECT_EQ(m.producer_worker_id, p.worker_id());
  EXPECT_FALSE(m.consumer_worker_id);
  EXPECT_FALSE(m.dequeued_at);
  EXPECT_FALSE(m.archived_at);
  EXPECT_GE(m.enqueued_at, before);
  EXPECT_EQ(m.vt, m.enqueued_at);
  auto stored = s().messages().get(m.id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->payload, m.payload);
  EXPECT_EQ(stored->enqueued_at, m.enqueued_at);  // microsecond round trip
}

TEST_F(producers, any_json_value_is_a_valid_payload) {
  auto p = make_producer();
  for (const json& v : {json("text"), json(42), json(-1.5), json(true), json(nullptr),
                        json::array({1, "two"}), json::object(), json("unicode ✓ \"quoted\" \\ back")}) {
    EXPECT_EQ(p.enqueue(v).payload, v) << v.dump();
  }
}

TEST_F(producers, large_integers_and_precise_doubles_round_trip) {
  auto p = make_producer();
  json v = {{"big", 9007199254740993LL}, {"neg", -9223372036854775807LL}, {"d", 0.1 + 0.2}};
  auto id = p.enqueue(v).id;
  EXPECT_EQ(s().messages().get(id)->payload, v);
}

TEST_F(producers, batch_enqueue_inserts_all_in_order_with_shared_times) {
  auto p = make_producer();
  std::vector<json> payloads;
  for (int i = 0; i < 25; ++i) payloads.push_back(json{{"i", i}});
  auto msgs = p.batch_enqueue(payloads);
  ASSERT_EQ(msgs.size(), 25u);
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    EXPECT_EQ(msgs[i].payload["i"], static_cast<int>(i));
    if (i > 0) {
      EXPECT_LT(msgs[i - 1].id, msgs[i].id);
      EXPECT_EQ(msgs[i].enqueued_at, msgs[0].enqueued_at);
      EXPECT_EQ(msgs[i].vt, msgs[0].vt);
    }
  }
  EXPECT_EQ(live_count(), 25);
  for (const auto& m : msgs) {
    EXPECT_EQ(s().messages().get(m.id)->payload, m.payload) << "returned payload does not match stored message";
  }
}

TEST_F(producers, delayed_messages_become_ready_only_after_the_delay) {
  auto p = make_producer();
  auto c = make_consumer();
  const auto t0 = now();
  auto m = p.enqueue_at(json{{"later", true}}, t0, 60s);
  EXPECT_EQ(m.enqueued_at, t0);
  EXPECT_EQ(m.vt, t0 + 60s);
  EXPECT_TRUE(c.dequeue_at(1, 30s, t0 + 59s).empty());
  auto got = c.dequeue_at(1, 30s, t0 + 60s);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, m.id);
}

TEST_F(producers, enqueue_delayed_uses_the_current_time_plus_delay) {
  auto p = make_producer();
  auto m = p.enqueue_delayed(json(1), 5s);
  EXPECT_EQ(m.vt - m.enqueued_at, 5s);
  EXPECT_EQ(make_consumer().dequeue(), std::nullopt);
}

TEST_F(producers, with_time_fixes_the_producers_clock) {
  const auto t = timestamp{} + std::chrono::hours(24 * 365 * 30);
  auto p = make_producer().with_time(t);
  EXPECT_EQ(p.current_time(), t);
  EXPECT_EQ(p.enqueue(json(1)).enqueued_at, t);
}

TEST_F(producers, oversized_payload_is_payload_too_large_and_nothing_is_stored) {
  reopen([](config& c) { c.validation.max_payload_size_bytes = 100; });
  auto p = make_producer();
  try {
    p.enqueue(json{{"data", std::string(200, 'x')}});
    FAIL();
  } catch (const payload_too_large& e) {
    EXPECT_EQ(e.max_bytes(), 100u);
    EXPECT_GT(e.actual_bytes(), 200u);
  }
  EXPECT_EQ(live_count(), 0);
}

TEST_F(producers, too_deep_payload_is_a_validation_error) {
  reopen([](config& c) { c.validation.max_object_depth = 2; });
  auto p = make_producer();
  EXPECT_NO_THROW(p.enqueue(json{{"a", {{"b", "v"}}}}));
  try {
    p.enqueue(json{{"a", {{"b", {{"c", {{"d", "v"}}}}}}}});
    FAIL();
  } catch (const validation_error& e) {
    EXPECT_STREQ(e.what(), "Validation failed: Object depth 3 exceeds limit 2");
  }
}

TEST_F(producers, forbidden_keys_are_rejected_at_any_depth) {
  auto p = make_producer();
  try {
    p.enqueue(json{{"ok", {{"nested", {{"__proto__", 1}}}}}});
    FAIL();
  } catch (const validation_error& e) {
    EXPECT_STREQ(e.what(), "Validation failed: Forbidden key '__proto__' found in payload");
  }
  EXPECT_THROW(p.enqueue(json{{"constructor", 1}}), validation_error);
}

TEST_F(producers, required_keys_apply_to_top_level_objects) {
  reopen([](config& c) { c.validation.required_keys = {"id"}; });
  auto p = make_producer();
  EXPECT_THROW(p.enqueue(json{{"x", 1}}), validation_error);
  EXPECT_NO_THROW(p.enqueue(json{{"id", 1}}));
  EXPECT_NO_THROW(p.enqueue(json::array({1, 2})));
}

TEST_F(producers, long_strings_nul_characters_and_non_finite_numbers_are_rejected) {
  auto p = make_producer();
  EXPECT_THROW(p.enqueue(json{{"s", std::string(1025, 'a')}}), validation_error);
  EXPECT_THROW(p.enqueue(json{{"s", std::string("a\0b", 3)}}), validation_error);
  EXPECT_THROW(p.enqueue(json{{"n", std::numeric_limits<double>::quiet_NaN()}}), validation_error);
  EXPECT_THROW(p.enqueue(json{{"n", std::numeric_limits<double>::infinity()}}), validation_error);
  EXPECT_THROW(p.enqueue(json{{"s", "\xc3\x28"}}), serialization_error);
  EXPECT_EQ(live_count(), 0);
}

TEST_F(producers, a_batch_with_one_bad_payload_inserts_nothing) {
  auto p = make_producer();
  std::vector<json> batch{json{{"ok", 1}}, json{{"__proto__", 1}}, json{{"ok", 3}}};
  try {
    p.batch_enqueue(batch);
    FAIL();
  } catch (const validation_error& e) {
    EXPECT_STREQ(e.what(),
                 "Validation failed: Payload at index 1: Forbidden key '__proto__' found in payload");
  }
  EXPECT_EQ(live_count(), 0);
}

TEST_F(producers, rate_limit_rejects_beyond_the_burst_and_reports_status) {
  reopen([](config& c) {
    c.validation.max_enqueue_per_second = 1;
    c.validation.max_enqueue_burst = 3;
  });
  auto p = make_producer();
  for (int i = 0; i < 3; ++i) p.enqueue(json(i));
  try {
    p.enqueue(json(4));
    FAIL();
  } catch (const rate_limited& e) {
    EXPECT_EQ(e.retry_after(), 1s);
  }
  auto status = p.rate_limit_status();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->burst_capacity, 3u);
  EXPECT_EQ(status->max_per_second, 1u);
  EXPECT_EQ(status->available_tokens, 0u);
  EXPECT_EQ(live_count(), 3);
}

TEST_F(producers, a_batch_larger_than_the_burst_is_rate_limited_whole) {
  auto p = make_producer();  // defaults: 1000/s, burst 50
  std::vector<json> batch(51, json(1));
  EXPECT_THROW(p.batch_enqueue(batch), rate_limited);
  EXPECT_EQ(live_count(), 0);
}

TEST_F(producers, disabled_rate_limit_accepts_large_batches) {
  reopen([](config& c) {
    c.validation.max_enqueue_per_second.reset();
    c.validation.max_enqueue_burst.reset();
  });
  auto p = make_producer();
  EXPECT_FALSE(p.rate_limit_status());
  EXPECT_EQ(p.batch_enqueue(std::vector<json>(200, json{{"x", 1}})).size(), 200u);
}

TEST_F(producers, enqueue_builder_to_a_queue_registers_no_worker) {
  auto before = s().workers().count();
  auto ids = enqueue().message(json{{"a", 1}}).message(json{{"a", 2}}).to("q").execute(s());
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_LT(ids[0], ids[1]);
  EXPECT_EQ(s().workers().count(), before);
  EXPECT_FALSE(s().messages().get(ids[0])->producer_worker_id);
}

TEST_F(producers, enqueue_builder_through_a_producer_records_it_and_applies_delay) {
  auto p = make_producer();
  const auto t = now();
  auto ids = enqueue().messages({json(1), json(2)}).worker(p).at(t).delay(10s).execute(s());
  auto m = s().messages().get(ids[1]);
  EXPECT_EQ(m->producer_worker_id, p.worker_id());
  EXPECT_EQ(m->enqueued_at, t);
  EXPECT_EQ(m->vt, t + 10s);
}

TEST_F(producers, enqueue_builder_without_messages_or_queue_explains_what_is_missing) {
  try {
    enqueue().to("q").execute(s());
    FAIL();
  } catch (const validation_error& e) {
    EXPECT_STREQ(
        e.what(),
        "Validation failed: No messages to enqueue. Use .message() or .messages() before .execute().");
  }
  try {
    enqueue().message(json(1)).execute(s());
    FAIL();
  } catch (const validation_error& e) {
    EXPECT_STREQ(e.what(),
                 "Validation failed: Queue name is required. Use .to(\"queue-name\") or .worker(&producer)");
  }
}

TEST_F(producers, negative_delay_is_a_validation_error) {
  EXPECT_THROW(make_producer().enqueue_delayed(json(1), -1s), validation_error);
}

TEST_F(producers, get_message_by_id_finds_live_and_archived_messages) {
  auto p = make_producer();
  auto c = make_consumer();
  auto id = p.enqueue(json(1)).id;
  EXPECT_EQ(p.get_message_by_id(id)->id, id);
  ASSERT_TRUE(c.dequeue());
  ASSERT_TRUE(c.archive(id));
  auto archived = p.get_message_by_id(id);
  ASSERT_TRUE(archived);
  EXPECT_TRUE(archived->archived_at);
  EXPECT_FALSE(p.get_message_by_id(id + 1000));
}

}  // namespace
}  // namespace pgqrs::testing
