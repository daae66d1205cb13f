// WorldCommunicator in a build without MPI: always a single process.
#include "mtrec/dist/world_communicator.h"

namespace mtrec {

WorldCommunicator::WorldCommunicator() : comm_(&SingleProcess()) {}
WorldCommunicator::~WorldCommunicator() = default;
void WorldCommunicator::Abort(int /*code*/) {}

}  // namespace mtrec
