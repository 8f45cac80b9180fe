"""Cases (诉求): intake, dispatch across three levels, working-day deadlines, joint meetings."""
