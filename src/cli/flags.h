// FlagSet: one declarative table of a command's flags that drives parsing,
// type checking and --help. Range checks live in the configs' Validate(),
// whose messages name the same flags.
//
// Accepted forms: `--name value`, `--name=value`, and for switches `--name`.
// As with Python's argparse (the original's parser), a unique prefix of a flag
// name is accepted (`--epoch 200`); an ambiguous or unknown one is an error.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mtrec/status.h"

namespace mtrec::cli {

class FlagSet {
 public:
  // A flag that takes a value, parsed by `set` (which returns an error naming
  // the flag on a bad value). `default_text` is shown in --help.
  void AddValue(std::string name, std::string metavar, std::string help, std::string default_text,
                std::function<Status(std::string_view)> set);
  // A switch: `--name` calls set().
  void AddSwitch(std::string name, std::string help, std::function<void()> set);

  // A boolean that may be given bare (`--gpu`), with `=VALUE`, or followed by a
  // boolean word (`--gpu True`, the original's spelling).
  void AddOptionalBool(std::string name, bool* target, std::string help);

  // Typed helpers (strict parsing: the whole string must be a number).
  void AddInt(std::string name, int* target, std::string help);
  // An integer that must lie in [lo, hi] (the error names the flag and the range).
  void AddIntInRange(std::string name, int* target, int lo, int hi, std::string help);
  void AddUint32(std::string name, uint32_t* target, std::string help);
  void AddDouble(std::string name, double* target, std::string help);
  // A non-empty string (an empty value is an error naming the flag).
  void AddString(std::string name, std::string* target, std::string metavar, std::string help);

  // Parses every argument. `--help`/`-h` sets *help_requested and stops.
  Status Parse(std::span<const std::string> args, bool* help_requested) const;

  // Replaces the default that --help shows for flag `name` (which must exist).
  void SetDefaultText(std::string_view name, std::string text);

  // The flag table as help text, one flag per entry, defaults included.
  std::string Help() const;
  // The same table in Markdown, as the docs hold it: a header row, then
  // | `--name METAVAR` | `default` | help | per flag.
  std::string Markdown() const;

  // The full names of the flags the last Parse saw, in order (repeats included).
  const std::vector<std::string>& given() const { return given_; }
  bool was_given(std::string_view name) const;
  // InvalidArgument if both `a` and `b` were given (they contradict each other).
  Status CheckExclusive(std::string_view a, std::string_view b) const;

 private:
  struct Flag {
    std::string name;
    std::string metavar;  // empty for a switch
    std::string help;
    std::string default_text;
    std::function<Status(std::string_view)> set;
    bool optional_value = false;
  };
  const Flag* Lookup(std::string_view name, Status* error) const;

  std::vector<Flag> flags_;
  mutable std::vector<std::string> given_;
};

// Strict number parsing shared by the helpers; errors name `flag`.
Status ParseIntFlag(std::string_view flag, std::string_view text, int* out);
Status ParseDoubleFlag(std::string_view flag, std::string_view text, double* out);
Status ParseIntListFlag(std::string_view flag, std::string_view text, std::vector<int>* out);
Status ParseNumberListFlag(std::string_view flag, std::string_view text, std::vector<double>* out);
// true/false, 1/0, yes/no (any case).
Status ParseBoolFlag(std::string_view flag, std::string_view text, bool* out);

}  // namespace mtrec::cli
