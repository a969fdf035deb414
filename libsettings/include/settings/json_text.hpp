#pragma once

#include <string>

#include <boost/json/value.hpp>

namespace settings {

/// Compact JSON text of `value`. Unlike boost::json::serialize, numbers are
/// written in their shortest round-trip form (0.7, not 7E-1).
std::string to_json_text(const boost::json::value& value);

}  // namespace settings
