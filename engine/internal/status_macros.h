// Status propagation macros. Abseil gained ABSL_RETURN_IF_ERROR only in 20260526; Debian ships 20220623.
#ifndef DETECT_ENGINE_INTERNAL_STATUS_MACROS_H_
#define DETECT_ENGINE_INTERNAL_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define DETECT_RETURN_IF_ERROR(expr)                    \
  do {                                                  \
    ::absl::Status detect_status_ = (expr);             \
    if (!detect_status_.ok()) return detect_status_;    \
  } while (0)

#define DETECT_STATUS_CONCAT_INNER_(a, b) a##b
#define DETECT_STATUS_CONCAT_(a, b) DETECT_STATUS_CONCAT_INNER_(a, b)

#define DETECT_ASSIGN_OR_RETURN(lhs, rexpr) \
  DETECT_ASSIGN_OR_RETURN_IMPL_(DETECT_STATUS_CONCAT_(detect_statusor_, __LINE__), lhs, rexpr)

#define DETECT_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                  \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()

#endif  // DETECT_ENGINE_INTERNAL_STATUS_MACROS_H_
