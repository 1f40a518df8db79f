"""A CloudFormation-like scheduler, the emulated SageMaker and the real handler on a virtual
clock: hours of stack operations in seconds of real time, reproducibly for a seed. Tooling: never
shipped."""
