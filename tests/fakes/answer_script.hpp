#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pushsync::test {

// The answers a fake service gives to requests that passed its checks:
// during an outage, the outage's answer; else the next one scripted for the
// device token, then the next general one; else none (the fake's default).
// Not locked: the fake holds its own lock around every call.
template <class Answer>
class AnswerScript {
 public:
  void add(std::vector<Answer> answers) { append(general_, std::move(answers)); }
  void add_for(const std::string& token, std::vector<Answer> answers) {
    append(by_token_[token], std::move(answers));
  }
  void outage(Answer answer, std::chrono::steady_clock::time_point until) {
    outage_.emplace(std::move(answer), until);
  }

  std::optional<Answer> next(const std::string& token) {
    if (outage_ && std::chrono::steady_clock::now() < outage_->second) return outage_->first;
    auto own = by_token_.find(token);
    for (auto* queue : {own == by_token_.end() ? nullptr : &own->second, &general_}) {
      if (!queue || queue->empty()) continue;
      Answer answer = std::move(queue->front());
      queue->pop_front();
      return answer;
    }
    return std::nullopt;
  }

 private:
  static void append(std::deque<Answer>& queue, std::vector<Answer> answers) {
    for (auto& a : answers) queue.push_back(std::move(a));
  }

  std::deque<Answer> general_;
  std::map<std::string, std::deque<Answer>> by_token_;
  std::optional<std::pair<Answer, std::chrono::steady_clock::time_point>> outage_;
};

}  // namespace pushsync::test
