// The non-template code of Asio, Asio's TLS and Beast, compiled here once
// instead of inline in every file that uses them (BOOST_ASIO_SEPARATE_COMPILATION
// and BOOST_BEAST_SEPARATE_COMPILATION, set for the whole build in
// CMakeLists.txt). Kept out of the unity batches.
#include <utility>  // Boost 1.74 (util/prelude.hpp)

#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
