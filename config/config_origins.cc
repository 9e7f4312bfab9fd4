#include "config/config_origins.h"

namespace quokka {

void ConfigOrigins::record(std::string path, std::string origin) {
  origins_.insert_or_assign(std::move(path), std::move(origin));
}

void ConfigOrigins::forget_prefix(std::string_view prefix) {
  auto it = origins_.lower_bound(prefix);
  while (it != origins_.end() && std::string_view(it->first).starts_with(prefix)) {
    it = origins_.erase(it);
  }
}

std::string_view ConfigOrigins::of(std::string_view path) const {
  auto it = origins_.find(path);
  if (it == origins_.end()) return {};
  return it->second;
}

}  // namespace quokka
