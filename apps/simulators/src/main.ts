console.log('simulators: not yet');
