#pragma once

#include <settings/migration.hpp>

#include <span>

namespace settings {

/// The files of `migrations/`, embedded at build time, in version order.
std::span<const Migration> embedded_migrations();

}  // namespace settings
