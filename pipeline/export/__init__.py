"""Built episodes handed to other tools: ``jianying`` writes a 剪映 (JianyingPro) draft to finish by hand."""
