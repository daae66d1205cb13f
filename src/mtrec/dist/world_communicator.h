// WorldCommunicator: the job this process belongs to, as the launcher made it.
//
// WorldCommunicator() is what the CLI calls at start: under an MPI launcher
// (mpirun, mpiexec, srun: it sets OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK)
// it initialises MPI and returns the world's communicator, which finalises MPI
// when destroyed; otherwise, and in a build without MPI, it returns a
// single-process communicator, and the run is exactly a plain run.
// MPI's default error handler stays in place: a failed transfer (a rank that
// died) aborts the whole job rather than leave the others waiting.
#pragma once

#include <memory>

#include "mtrec/dist/communicator.h"

namespace mtrec {

class WorldCommunicator {
 public:
  WorldCommunicator();
  ~WorldCommunicator();
  WorldCommunicator(const WorldCommunicator&) = delete;
  WorldCommunicator& operator=(const WorldCommunicator&) = delete;

  Communicator& get() { return *comm_; }
  // True when this process is one of several ranks.
  bool distributed() const { return comm_->size() > 1; }
  // Ends every rank of the job with exit status `code` (MPI_Abort); returns
  // only in a single process.
  void Abort(int code);

 private:
  std::unique_ptr<Communicator> owned_;
  Communicator* comm_;
};

}  // namespace mtrec
