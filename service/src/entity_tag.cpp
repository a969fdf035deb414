#include <algorithm>
#include <optional>
#include <vector>

#include <service/entity_tag.hpp>

namespace service {

namespace {

std::string_view trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

struct Tag {
    bool weak = false;
    std::string_view opaque;  // with its quotes
};

// An entity-tag list (RFC 9110 8.8.3), or nothing when any member is malformed.
std::optional<std::vector<Tag>> tags_of(std::string_view header) {
    std::vector<Tag> tags;
    std::size_t start = 0;
    while (start <= header.size()) {
        const auto comma = header.find(',', start);
        auto member = trimmed(header.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        start = comma == std::string_view::npos ? header.size() + 1 : comma + 1;
        if (member.empty()) {
            continue;  // empty list elements are allowed
        }
        Tag tag;
        if (member.starts_with("W/")) {
            tag.weak = true;
            member.remove_prefix(2);
        }
        if (member.size() < 2 || member.front() != '"' || member.back() != '"' ||
            member.substr(1, member.size() - 2).find('"') != std::string_view::npos) {
            return std::nullopt;
        }
        tag.opaque = member;
        tags.push_back(tag);
    }
    return tags;
}

// Whether a condition header is `*` or lists `current`; weak tags count only
// for the weak comparison (If-None-Match).
bool names(std::string_view header, std::string_view current, bool weak_counts) {
    if (trimmed(header) == "*") {
        return true;
    }
    const auto tags = tags_of(header);
    if (!tags) {
        return false;
    }
    return std::any_of(tags->begin(), tags->end(), [&](const Tag& tag) {
        return (weak_counts || !tag.weak) && tag.opaque == current;
    });
}

}  // namespace

std::string entity_tag(const settings::Revisions& revisions) {
    std::string tag = "\"g";
    tag.append(std::to_string(revisions.global));
    if (revisions.user) {
        tag.append("-u").append(std::to_string(*revisions.user));
    }
    if (revisions.project) {
        tag.append("-p").append(std::to_string(*revisions.project));
    }
    tag.push_back('"');
    return tag;
}

bool if_match_passes(std::string_view header, std::string_view current) {
    return names(header, current, false);
}

bool if_none_match_hits(std::string_view header, std::string_view current) {
    return names(header, current, true);
}

}  // namespace service
