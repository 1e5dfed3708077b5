// The browser test collections ("browser" and "Console browser") each drive their own Chromium and start real sites.
// Run side by side on the two cores CI has, they starved each other: the full run's failures were 30 s timeouts that no
// class showed alone (the stop-23 screenshot tests among them). One at a time, each test gets the machine.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
