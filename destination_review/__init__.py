"""The offline review of a stack: render the program, run the policy pack, report."""
