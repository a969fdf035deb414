#include "storage/stored_documents.hpp"

#include <boost/json/parse.hpp>

#include <settings/errors.hpp>
#include <settings/json_text.hpp>
#include <settings/settings_json.hpp>

namespace settings::detail {

namespace {

template <typename T, typename Reader>
T parse_document(std::string_view text, const char* name, Reader reader) {
    boost::json::error_code ec;
    const auto value = boost::json::parse(text, ec);
    FieldErrors errors;
    std::optional<T> document = ec ? std::nullopt : reader(value, name, errors);
    if (!document) {
        throw StorageError(std::string("stored project_settings.") + name + " is not valid");
    }
    return std::move(*document);
}

}  // namespace

std::string allowed_models_text(const std::vector<std::string>& models) {
    boost::json::array array;
    for (const auto& model : models) {
        array.emplace_back(model);
    }
    return to_json_text(array);
}

std::vector<std::string> parse_allowed_models(std::string_view text) {
    boost::json::error_code ec;
    const auto value = boost::json::parse(text, ec);
    if (ec || !value.is_array()) {
        throw StorageError("global_settings.allowed_models is not a JSON array");
    }
    std::vector<std::string> models;
    for (const auto& item : value.get_array()) {
        if (item.is_string()) {
            models.emplace_back(item.get_string());
        }
    }
    return models;
}

std::string board_display_config_text(const BoardDisplayConfig& config) {
    return to_json_text(to_json(config));
}

BoardDisplayConfig parse_board_display_config(std::string_view text) {
    return parse_document<BoardDisplayConfig>(text, "board_display_config",
                                              read_board_display_config);
}

std::string agent_pipeline_mappings_text(const AgentPipelineMappings& mappings) {
    return to_json_text(to_json(mappings));
}

AgentPipelineMappings parse_agent_pipeline_mappings(std::string_view text) {
    return parse_document<AgentPipelineMappings>(text, "agent_pipeline_mappings",
                                                 read_agent_pipeline_mappings);
}

std::optional<std::string> board_display_config_text(const ProjectSettings& project) {
    if (!project.board_display_config) {
        return std::nullopt;
    }
    return board_display_config_text(*project.board_display_config);
}

std::optional<std::string> agent_pipeline_mappings_text(const ProjectSettings& project) {
    if (!project.agent_pipeline_mappings) {
        return std::nullopt;
    }
    return agent_pipeline_mappings_text(*project.agent_pipeline_mappings);
}

}  // namespace settings::detail
