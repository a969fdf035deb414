#pragma once

#include <SQLiteCpp/Statement.h>

namespace settings::detail {

/// Use of a prepared statement that is kept for the life of its store: resets it
/// on the way out so that it holds no read lock. Every use binds all parameters.
class StatementScope {
  public:
    explicit StatementScope(SQLite::Statement& statement) : statement_(statement) {}
    ~StatementScope() { statement_.tryReset(); }
    StatementScope(const StatementScope&) = delete;
    StatementScope& operator=(const StatementScope&) = delete;

    SQLite::Statement* operator->() { return &statement_; }
    SQLite::Statement& operator*() { return statement_; }

  private:
    SQLite::Statement& statement_;
};

}  // namespace settings::detail
