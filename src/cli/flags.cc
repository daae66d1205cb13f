#include "cli/flags.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "mtrec/core/split_list.h"

namespace mtrec::cli {

namespace {

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

template <typename T>
bool ParseWhole(std::string_view s, T* out) {
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);  // from_chars rejects a leading '+'
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

}  // namespace

Status ParseIntFlag(std::string_view flag, std::string_view text, int* out) {
  if (!ParseWhole(text, out)) {
    return Status::InvalidArgument("--" + std::string(flag) + ": expected an integer, got " +
                                   Quote(text));
  }
  return Status::Ok();
}

Status ParseDoubleFlag(std::string_view flag, std::string_view text, double* out) {
  if (!ParseWhole(text, out) || !std::isfinite(*out)) {
    return Status::InvalidArgument("--" + std::string(flag) + ": expected a number, got " +
                                   Quote(text));
  }
  return Status::Ok();
}

Status ParseIntListFlag(std::string_view flag, std::string_view text, std::vector<int>* out) {
  std::vector<int> values;
  for (std::string_view item : SplitList(text)) {
    int v = 0;
    if (!ParseWhole(item, &v)) {
      return Status::InvalidArgument(
          "--" + std::string(flag) +
          ": expected comma-separated integers, got " + Quote(text));
    }
    values.push_back(v);
  }
  *out = std::move(values);
  return Status::Ok();
}

Status ParseNumberListFlag(std::string_view flag, std::string_view text, std::vector<double>* out) {
  std::vector<double> values;
  for (std::string_view item : SplitList(text)) {
    double v = 0;
    if (!ParseWhole(item, &v) || !std::isfinite(v)) {
      return Status::InvalidArgument("--" + std::string(flag) +
                                     ": expected comma-separated numbers, got " + Quote(text));
    }
    values.push_back(v);
  }
  *out = std::move(values);
  return Status::Ok();
}

Status ParseBoolFlag(std::string_view flag, std::string_view text, bool* out) {
  const std::string v = Lower(text);
  if (v == "true" || v == "1" || v == "yes") {
    *out = true;
  } else if (v == "false" || v == "0" || v == "no") {
    *out = false;
  } else {
    return Status::InvalidArgument("--" + std::string(flag) + ": expected true or false, got " +
                                   Quote(text));
  }
  return Status::Ok();
}

void FlagSet::AddValue(std::string name, std::string metavar, std::string help,
                       std::string default_text, std::function<Status(std::string_view)> set) {
  flags_.push_back(Flag{std::move(name), std::move(metavar), std::move(help),
                        std::move(default_text), std::move(set)});
}

void FlagSet::AddSwitch(std::string name, std::string help, std::function<void()> set) {
  flags_.push_back(
      Flag{std::move(name), "", std::move(help), "", [set = std::move(set)](std::string_view) {
             set();
             return Status::Ok();
           }});
}

void FlagSet::AddOptionalBool(std::string name, bool* target, std::string help) {
  std::string flag = name;
  flags_.push_back(
      Flag{std::move(name), "[BOOL]", std::move(help), *target ? "true" : "false",
           [flag, target](std::string_view v) { return ParseBoolFlag(flag, v, target); },
           /*optional_value=*/true});
}

void FlagSet::AddInt(std::string name, int* target, std::string help) {
  std::string flag = name;
  AddValue(std::move(name), "INT", std::move(help), std::to_string(*target),
           [flag, target](std::string_view v) { return ParseIntFlag(flag, v, target); });
}

void FlagSet::AddIntInRange(std::string name, int* target, int lo, int hi, std::string help) {
  const std::string flag = name;
  AddValue(std::move(name), "INT", std::move(help), std::to_string(*target),
           [flag, target, lo, hi](std::string_view v) {
             int value = 0;
             MTREC_RETURN_IF_ERROR(ParseIntFlag(flag, v, &value));
             if (value < lo || value > hi) {
               return Status::InvalidArgument("--" + flag + ": expected an integer in [" +
                                              std::to_string(lo) + ", " + std::to_string(hi) +
                                              "], got " + std::to_string(value));
             }
             *target = value;
             return Status::Ok();
           });
}

void FlagSet::AddUint32(std::string name, uint32_t* target, std::string help) {
  std::string flag = name;
  AddValue(
      std::move(name), "INT", std::move(help), std::to_string(*target),
      [flag, target](std::string_view v) {
        int64_t value = -1;
        if (!ParseWhole(v, &value) || value < 0 || value > std::numeric_limits<uint32_t>::max()) {
          return Status::InvalidArgument(
              "--" + flag + ": expected an integer in [0, 4294967295], got " + Quote(v));
        }
        *target = static_cast<uint32_t>(value);
        return Status::Ok();
      });
}

void FlagSet::AddDouble(std::string name, double* target, std::string help) {
  std::string flag = name;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", *target);
  AddValue(std::move(name), "NUM", std::move(help), buf,
           [flag, target](std::string_view v) { return ParseDoubleFlag(flag, v, target); });
}

void FlagSet::AddString(std::string name, std::string* target, std::string metavar,
                        std::string help) {
  const std::string flag = name;
  AddValue(std::move(name), std::move(metavar), std::move(help), *target,
           [flag, target](std::string_view v) {
             // An empty path or id is never meant: "" would silently mean "not given".
             if (v.empty()) {
               return Status::InvalidArgument("--" + flag + ": expected a value, got ''");
             }
             *target = std::string(v);
             return Status::Ok();
           });
}

const FlagSet::Flag* FlagSet::Lookup(std::string_view name, Status* error) const {
  for (const Flag& f : flags_) {
    if (f.name == name) return &f;
  }
  std::vector<const Flag*> candidates;
  for (const Flag& f : flags_) {
    if (!name.empty() && f.name.starts_with(name)) candidates.push_back(&f);
  }
  if (candidates.size() == 1) return candidates.front();
  if (candidates.empty()) {
    *error = Status::InvalidArgument("unknown flag --" + std::string(name) + " (see --help)");
  } else {
    std::string names;
    for (const Flag* f : candidates) names += (names.empty() ? "--" : ", --") + f->name;
    *error =
        Status::InvalidArgument("ambiguous flag --" + std::string(name) + ": could be " + names);
  }
  return nullptr;
}

bool FlagSet::was_given(std::string_view name) const {
  return std::find(given_.begin(), given_.end(), name) != given_.end();
}

Status FlagSet::CheckExclusive(std::string_view a, std::string_view b) const {
  if (was_given(a) && was_given(b)) {
    return Status::InvalidArgument("--" + std::string(a) + " and --" + std::string(b) +
                                   " contradict each other: give one of them");
  }
  return Status::Ok();
}

Status FlagSet::Parse(std::span<const std::string> args, bool* help_requested) const {
  *help_requested = false;
  given_.clear();
  for (size_t k = 0; k < args.size(); ++k) {
    const std::string& arg = args[k];
    if (arg == "--help" || arg == "-h") {
      *help_requested = true;
      return Status::Ok();
    }
    if (!arg.starts_with("--") || arg.size() == 2) {
      return Status::InvalidArgument("unexpected argument " + Quote(arg) +
                                     " (flags look like --name value; see --help)");
    }
    std::string_view body = std::string_view(arg).substr(2);
    std::string_view name = body, inline_value;
    const size_t eq = body.find('=');
    const bool has_inline = eq != std::string_view::npos;
    if (has_inline) {
      name = body.substr(0, eq);
      inline_value = body.substr(eq + 1);
    }
    Status error;
    const Flag* flag = Lookup(name, &error);
    if (flag == nullptr) return error;
    given_.push_back(flag->name);
    if (flag->metavar.empty()) {  // a switch
      if (has_inline) return Status::InvalidArgument("--" + flag->name + " takes no value");
      MTREC_RETURN_IF_ERROR(flag->set(""));
    } else if (flag->optional_value) {
      std::string_view value = "true";
      bool ignored;
      if (has_inline) {
        value = inline_value;
      } else if (k + 1 < args.size() && ParseBoolFlag(flag->name, args[k + 1], &ignored).ok()) {
        value = args[++k];
      }
      MTREC_RETURN_IF_ERROR(flag->set(value));
    } else if (has_inline) {
      MTREC_RETURN_IF_ERROR(flag->set(inline_value));
    } else {
      if (k + 1 >= args.size() || args[k + 1].starts_with("--")) {
        return Status::InvalidArgument("--" + flag->name + ": expected a value (" + flag->metavar +
                                       ")");
      }
      MTREC_RETURN_IF_ERROR(flag->set(args[++k]));
    }
  }
  return Status::Ok();
}

void FlagSet::SetDefaultText(std::string_view name, std::string text) {
  for (Flag& f : flags_) {
    if (f.name == name) f.default_text = std::move(text);
  }
}

std::string FlagSet::Markdown() const {
  // A table cell: `|` would end it.
  const auto cell = [](std::string_view text) {
    std::string out;
    for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
  };
  // Prose: also `<`, which would open an HTML tag (<stem>).
  const auto prose = [&cell](std::string_view text) {
    std::string out;
    for (char c : cell(text)) out += c == '<' ? std::string("\\<") : std::string(1, c);
    return out;
  };
  std::string out = "| flag | default | meaning |\n|---|---|---|\n";
  for (const Flag& f : flags_) {
    out += "| `--" + cell(f.name) + (f.metavar.empty() ? "" : " " + cell(f.metavar)) + "` | ";
    out += f.default_text.empty() ? "" : "`" + cell(f.default_text) + "`";
    out += " | " + prose(f.help) + " |\n";
  }
  return out;
}

std::string FlagSet::Help() const {
  std::string out;
  for (const Flag& f : flags_) {
    std::string head = "  --" + f.name + (f.metavar.empty() ? "" : " " + f.metavar);
    out += head;
    out += head.size() < 30 ? std::string(30 - head.size(), ' ') : "\n" + std::string(30, ' ');
    std::string text = f.help;
    if (!f.default_text.empty()) text += " (default: " + f.default_text + ")";
    // Wrap at 100 columns, continuing under the help column.
    constexpr size_t kWidth = 100 - 30;
    while (text.size() > kWidth) {
      size_t cut = text.rfind(' ', kWidth);
      if (cut == std::string::npos || cut == 0) cut = kWidth;
      out += text.substr(0, cut) + "\n" + std::string(30, ' ');
      text = text.substr(text[cut] == ' ' ? cut + 1 : cut);
    }
    out += text + "\n";
  }
  return out;
}

}  // namespace mtrec::cli
