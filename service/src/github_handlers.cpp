#include "github_handlers.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace service::handlers {

Response github_projects(const std::vector<GitHubProject>& projects) {
    boost::json::array list;
    list.reserve(projects.size());
    for (const auto& p : projects) {
        list.push_back(boost::json::object{
            {"id", p.id}, {"title", p.title}, {"owner", p.owner}, {"url", p.url}});
    }
    return json_response(200, boost::json::object{{"projects", std::move(list)}});
}

}  // namespace service::handlers
