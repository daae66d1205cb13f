#include "serve/connection_pool.h"

namespace mtrec::serve {

namespace {

thread_local bool t_refusing = false;

}  // namespace

ConnectionPool::ConnectionPool(size_t workers, size_t waiting)
    : limit_(workers + waiting), workers_(workers), refuser_(1) {}

void ConnectionPool::enqueue(std::function<void()> connection) {
  if (open_.fetch_add(1) >= limit_) {
    open_.fetch_sub(1);
    refuser_.enqueue([connection = std::move(connection)] {
      t_refusing = true;
      connection();
      t_refusing = false;
    });
    return;
  }
  workers_.enqueue([this, connection = std::move(connection)] {
    connection();
    open_.fetch_sub(1);
  });
}

void ConnectionPool::shutdown() {
  workers_.shutdown();
  refuser_.shutdown();
}

bool ConnectionPool::Refusing() { return t_refusing; }

}  // namespace mtrec::serve
