// Flags of detectctl, shared by its subcommands (abseil flags are process-global, so they are defined once).
#ifndef DETECT_CLIENT_FLAGS_H_
#define DETECT_CLIENT_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"

ABSL_DECLARE_FLAG(std::string, rules);
ABSL_DECLARE_FLAG(std::string, format);
ABSL_DECLARE_FLAG(std::string, fields);
ABSL_DECLARE_FLAG(std::string, log_type);
ABSL_DECLARE_FLAG(bool, skip_invalid);
ABSL_DECLARE_FLAG(bool, strict);
ABSL_DECLARE_FLAG(std::string, json_read);
ABSL_DECLARE_FLAG(bool, explain);
ABSL_DECLARE_FLAG(std::string, filter);
ABSL_DECLARE_FLAG(int, minimum_tests);
ABSL_DECLARE_FLAG(bool, alerts);
ABSL_DECLARE_FLAG(int, threads);
// Online subcommands.
ABSL_DECLARE_FLAG(std::string, server);
ABSL_DECLARE_FLAG(bool, raw);
ABSL_DECLARE_FLAG(bool, typed);
ABSL_DECLARE_FLAG(int, batch_size);
ABSL_DECLARE_FLAG(int, concurrency);
ABSL_DECLARE_FLAG(double, duration);
ABSL_DECLARE_FLAG(std::string, mode);
ABSL_DECLARE_FLAG(double, rate);
ABSL_DECLARE_FLAG(bool, progress);
ABSL_DECLARE_FLAG(bool, tls);
ABSL_DECLARE_FLAG(std::string, tls_ca);
ABSL_DECLARE_FLAG(std::string, tls_cert);
ABSL_DECLARE_FLAG(std::string, tls_key);
ABSL_DECLARE_FLAG(std::string, tls_server_name);
ABSL_DECLARE_FLAG(std::string, since);
ABSL_DECLARE_FLAG(double, timeout);

#endif  // DETECT_CLIENT_FLAGS_H_
