#pragma once

#include <span>

#include <settings/migration.hpp>

namespace settings {

/// The files of `migrations/`, embedded at build time, in version order.
std::span<const Migration> embedded_migrations();

}  // namespace settings
