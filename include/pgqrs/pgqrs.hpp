#pragma once
/// @file pgqrs.hpp
/// Umbrella header: everything a user of the library needs.
///
/// @code
///   auto store = pgqrs::connect("sqlite:///tmp/app.db");
///   pgqrs::admin(store).install();
///   store.queue("tasks");
///   pgqrs::enqueue().message({{"job", 1}}).to("tasks").execute(store);
///   pgqrs::dequeue().from("tasks").handle([](const pgqrs::queue_message& m) { /* work */ }).execute(store);
/// @endcode

#include "pgqrs/admin.hpp"
#include "pgqrs/config.hpp"
#include "pgqrs/consumer.hpp"
#include "pgqrs/dequeue.hpp"
#include "pgqrs/enqueue.hpp"
#include "pgqrs/operations.hpp"
#include "pgqrs/errors.hpp"
#include "pgqrs/producer.hpp"
#include "pgqrs/s3.hpp"
#include "pgqrs/store.hpp"
#include "pgqrs/tables.hpp"
#include "pgqrs/types.hpp"
#include "pgqrs/worker.hpp"
#include "pgqrs/workflow.hpp"
#include "pgqrs/workflow_execution.hpp"
