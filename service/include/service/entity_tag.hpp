#pragma once

#include <string>
#include <string_view>

#include <settings/effective_settings.hpp>

namespace service {

/// The strong ETag of a view at `revisions` (revisions.md): `"g7"`, `"g7-u3"`,
/// `"g7-u3-p1"`, quotes included.
std::string entity_tag(const settings::Revisions& revisions);

/// Whether an If-Match header value lets a write of the resource at `current`
/// proceed: `*`, or a list holding `current` (strong comparison: a weak tag never
/// matches). Anything else, malformed lists included, does not match.
bool if_match_passes(std::string_view header, std::string_view current);

/// Whether an If-None-Match header value names `current` (weak comparison), so
/// a GET may answer 304.
bool if_none_match_hits(std::string_view header, std::string_view current);

}  // namespace service
