#include <settings/field_error.hpp>

namespace settings {

std::string_view to_string(ErrorCode code) {
    switch (code) {
        case ErrorCode::required:
            return "required";
        case ErrorCode::unknown_field:
            return "unknown_field";
        case ErrorCode::wrong_type:
            return "wrong_type";
        case ErrorCode::out_of_range:
            return "out_of_range";
        case ErrorCode::too_long:
            return "too_long";
        case ErrorCode::bad_format:
            return "bad_format";
        case ErrorCode::not_allowed:
            return "not_allowed";
        case ErrorCode::duplicate:
            return "duplicate";
        case ErrorCode::quota:
            return "quota";
    }
    return "bad_format";
}

}  // namespace settings
