// Prints a user's effective settings, and where each value comes from.
//   print_settings DATABASE USER_ID
// DATABASE is a SQLite file (or sqlite:PATH) or a postgresql:// URL: the same
// program reads either engine.

#include <iostream>

#include <settings/errors.hpp>
#include <settings/json_text.hpp>
#include <settings/settings_json.hpp>
#include <settings/settings_store.hpp>
#include <settings/storage.hpp>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: print_settings DATABASE USER_ID\n";
        return 2;
    }
    try {
        // Read-only: this program never migrates or seeds the database it reads.
        settings::StorageOptions options;
        options.read_only = true;
        settings::SettingsStore store(settings::Storage::open(argv[1], options));
        const auto effective = store.effective_user_settings(argv[2]);
        const auto document = settings::to_json(effective);

        for (const auto& field : settings::field_table) {
            std::cout << field.path << " = "
                      << settings::to_json_text(document.at(field.section()).at(field.name()))
                      << " (" << settings::to_string(effective.source(field.field)) << ")\n";
        }
        return 0;
    } catch (const settings::Error& e) {
        std::cerr << "print_settings: " << e.what() << "\n";
        return 1;
    }
}
