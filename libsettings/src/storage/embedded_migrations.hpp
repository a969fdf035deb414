#pragma once

#include <span>

#include <settings/storage.hpp>

#include "storage/migration.hpp"

namespace settings {

/// The files of `migrations/<engine>/`, embedded at build time, in version order.
/// Both engines carry the same numbers (the build checks it).
std::span<const Migration> embedded_migrations(StorageEngine engine);

}  // namespace settings
